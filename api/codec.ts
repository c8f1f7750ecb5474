// The codec server of the Temporal Web UI: POST /codec/decode and /codec/encode speak Temporal's remote codec
// protocol ({payloads: [{metadata: {key: base64}, data: base64}]}), so ops see the decrypted inputs and results of
// workflows in the UI. Decrypted payloads hold personal data: only ops may call it, with the ops token
// (Authorization: Bearer, compared in constant time, failures rate limited like every key). The UI calls it from its
// own origin, so the allowed UI origins get CORS with credentials; the UI also sends X-Namespace, which is accepted
// and not needed (one keyring serves every namespace Settle uses). Not part of the OpenAPI document: it is an
// operations endpoint, not the merchant API.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Keyring } from '../lib/crypto/sealed-box';
import { EncryptionCodec } from '../lib/temporal/payload-codec';
import { readBodyText } from './body';
import { authenticate, bearerToken, secretMatches, type KindOf } from './middleware/auth';
import type { AuthFailureLimiter } from './middleware/auth-failures';
import { ProblemError } from './problem';

export interface CodecEndpointOptions {
  /** SETTLE_OPS_TOKEN; without it the endpoint refuses everyone (403). */
  opsToken?: string;
  /** Origins of the Temporal Web UI allowed to call from a browser (CORS with credentials). */
  corsOrigins: string[];
  /**
   * `npm start` in sandbox mode only: the local dev server's Web UI cannot send a token, so a request made on this
   * machine decodes without one — judged by the connection's own addresses (both ends loopback, not proxied), never
   * by a header, which any client sets. Never set for a deployment.
   */
  trustLocalUi?: boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * Whether the request came over loopback from this machine: a browser here (the local Web UI) or a local tool.
 * A request relayed by a proxy (which may itself be on loopback) carries forwarding headers and is not trusted, and a
 * page of another origin in a local browser is refused too (its Origin header is the one thing a page cannot forge).
 */
export function fromThisMachine(ctx: Context, uiOrigins: string[]): boolean {
  const socket = ctx.req.socket;
  if (!LOOPBACK.test(socket.remoteAddress ?? '') || !LOOPBACK.test(socket.localAddress ?? '')) return false;
  if (ctx.get('x-forwarded-for') || ctx.get('forwarded') || ctx.get('x-real-ip')) return false;
  const origin = ctx.get('origin');
  return !origin || uiOrigins.includes(origin);
}

// A decode request carries a page of history: allow Temporal's largest payloads (2 MB each), a few at a time.
const MAX_CODEC_BODY_BYTES = 8 * 1024 * 1024;
const MAX_PAYLOADS = 1_000;
const base64 = z.string().max(MAX_CODEC_BODY_BYTES).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const codecBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string().max(256), base64).optional(), data: base64.optional() })).max(MAX_PAYLOADS),
});
type WirePayload = z.infer<typeof codecBody>['payloads'][number];

const fromWire = (p: WirePayload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});
const toWire = (p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export function codecRouter(deps: { keyring: Keyring; codec?: CodecEndpointOptions }, limiter: AuthFailureLimiter, kindOf: KindOf): Router {
  const options = deps.codec ?? { corsOrigins: [] };
  const codec = new EncryptionCodec(deps.keyring);
  const router = new Router({ prefix: '/codec' });

  const allowCors = (ctx: Context) => {
    const origin = ctx.get('origin');
    ctx.vary('Origin');
    if (!origin || !options.corsOrigins.includes(origin)) return false;
    ctx.set('Access-Control-Allow-Origin', origin);
    ctx.set('Access-Control-Allow-Credentials', 'true');
    return true;
  };

  const authorise = async (ctx: Context) => {
    if (options.trustLocalUi && fromThisMachine(ctx, options.corsOrigins)) return;
    if (!options.opsToken) throw new ProblemError('forbidden', 'the codec endpoint is not enabled: set SETTLE_OPS_TOKEN');
    const token = bearerToken(ctx.get('authorization'));
    await authenticate(ctx, limiter, token, 'ops token', kindOf, async (t) => (secretMatches(t, options.opsToken!) ? true : undefined));
  };

  // The browser's preflight: it carries no credentials; the answer says what the real request may send.
  router.options(['/decode', '/encode'], (ctx) => {
    ctx.status = 204;
    if (!allowCors(ctx)) return;
    ctx.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
    ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
    ctx.set('Access-Control-Max-Age', '600');
  });

  for (const direction of ['decode', 'encode'] as const) {
    router.post(`/${direction}`, async (ctx) => {
      allowCors(ctx);
      await authorise(ctx); // before the body is read: an unauthenticated caller gets nothing parsed
      let json: unknown;
      try {
        json = JSON.parse(await readBodyText(ctx, MAX_CODEC_BODY_BYTES));
      } catch (err) {
        if (err instanceof ProblemError) throw err;
        throw new ProblemError('malformed-json', 'the body is not valid JSON');
      }
      const parsed = codecBody.safeParse(json);
      if (!parsed.success) throw new ProblemError('validation-error', `the body must be {payloads: [{metadata, data}]}: ${parsed.error.issues[0].message}`);
      let payloads;
      try {
        payloads = await codec[direction](parsed.data.payloads.map(fromWire));
      } catch (err) {
        throw new ProblemError('validation-error', `a payload could not be ${direction}d: ${(err as Error).message}`);
      }
      ctx.status = 200;
      ctx.body = { payloads: payloads.map(toWire) };
    });
  }
  return router;
}
