// pino JSON logs; pretty-printed only when a person is watching a terminal.
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

// Keys that may carry secrets or personal data anywhere in a log object. Their values are replaced, never printed.
// pino matches exact paths (`*` is one level): a key is redacted at the top level and one level down, and the places
// where HTTP clients' errors carry request headers and bodies (axios under xero-node, Stripe, fetch) are listed too,
// because errors are logged whole under `err` (our code) or `error` (the Temporal SDK).
const SECRET_KEYS = [
  'authorization', 'Authorization', 'cookie', 'apiKey', 'api_key', 'password', 'token', 'accessToken', 'access_token',
  'refreshToken', 'refresh_token', 'id_token', 'secret', 'clientSecret', 'client_secret', 'privateKey', 'private_key',
  'signingSecret', 'opsToken', 'email', 'phone', 'tokens',
];
const ERROR_SECRET_PATHS = [
  'config.headers.Authorization', 'config.headers.authorization', 'config.data', 'config.auth',
  'request.headers.authorization', 'request._header', 'response.config.headers.Authorization', 'response.config.data',
  'headers.authorization', 'headers.Authorization', 'raw.headers.authorization', 'requestHeaders.authorization',
];
export const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...ERROR_SECRET_PATHS.flatMap((path) => [`err.${path}`, `error.${path}`]),
];

/** `destination`: where the JSON lines go (stdout unless given; tests read them). */
export function createLogger(options: { level?: string; name?: string; pretty?: boolean; destination?: DestinationStream } = {}): Logger {
  const pretty = options.pretty ?? (process.stdout.isTTY === true && !process.env.JEST_WORKER_ID);
  const settings = {
    name: options.name ?? 'settle',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(pretty && !options.destination ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
