// pino JSON logs; pretty-printed only when a person is watching a terminal.
import pino, { type DestinationStream, type Logger } from 'pino';
import { maskEmailAddresses } from './email-address';

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

const MAX_CAUSES = 5;

/**
 * What a log line says of an error, under `err` (our code) or `error` (the Temporal SDK's "Activity failed"): its
 * type, message (email addresses masked), code or status, the Temporal failure's own fields (its type, whether it
 * retries, the activity's type and id) and its causes, with the stack's frames. Never the error object itself: its
 * enumerable fields are where HTTP clients keep request headers and bodies, and a Temporal failure's details and
 * payloads are workflow data. An Error logged whole serialises as `{}`, which says nothing.
 */
export function describeError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return typeof err === 'object' && err !== null ? { type: typeof err, value: '[not an Error]' } : err;
  const e = err as Error & Record<string, unknown>;
  const described: Record<string, unknown> = { type: e.constructor?.name && e.constructor.name !== 'Error' ? e.constructor.name : e.name, message: maskEmailAddresses(e.message, '[email]') };
  for (const field of ['code', 'status', 'statusCode', 'nonRetryable', 'activityType', 'activityId', 'retryState'] as const) {
    const value = e[field];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') described[field] = value;
  }
  // An ApplicationFailure's `type` names the kind of failure (e.g. 'ReconnectRequired'); it is not a payload.
  if (typeof e.type === 'string') described.failureType = e.type;
  const frames = (e.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).slice(0, 8);
  if (frames.length) described.stack = frames.map((f) => f.trim()).join('\n');
  if (e.cause !== undefined && depth < MAX_CAUSES) described.cause = describeError(e.cause, depth + 1);
  return described;
}

/** `destination`: where the JSON lines go (stdout unless given; tests read them). */
export function createLogger(options: { level?: string; name?: string; pretty?: boolean; destination?: DestinationStream } = {}): Logger {
  const pretty = options.pretty ?? (process.stdout.isTTY === true && !process.env.JEST_WORKER_ID);
  const settings = {
    name: options.name ?? 'settle',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: describeError, error: describeError },
    ...(pretty && !options.destination ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
