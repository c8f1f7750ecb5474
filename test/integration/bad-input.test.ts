// Bad input against every operation of the OpenAPI document (walked, not listed: a new route is covered the day it
// lands), generated with fast-check: malformed JSON, bodies of the wrong shape or type, missing fields, oversized
// bodies, other media types, unicode and injection strings in path and query parameters. Each must be refused with a
// 4xx problem+json that says why (never a 5xx), and a refused request writes nothing: the row counts of every table
// and the number of workflows are the same after it. Then amounts and currencies where money enters, strings in
// every text field of a valid payment and quote, malformed, oversized, forged, misdirected and replayed CPQ callbacks,
// and malformed, oversized, replayed and forged Stripe webhooks.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import { sql } from 'kysely';
import { startApi, type RunningApi } from '../../api/serve';
import { acceptBody, setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../support/quotes';
import { httpClient, type HttpResponse } from '../support/http';

let world: QuoteWorld;
let m: QuoteMerchant;
let doc: any;

beforeAll(async () => {
  // No workers: nothing runs in the background, so any change to the counts comes from the request itself.
  world = await startQuoteWorld({ roles: [] });
  m = await setUpQuoteMerchant(world);
  doc = (await httpClient(world.stack.api!.url)('GET', '/openapi.json')).body;
});
afterAll(() => world.close());

const INJECTIONS = ["' OR 1=1 --", "'; drop table payments; --", '<script>alert(1)</script>', '../../etc/passwd', '${7*7}', '{{7*7}}',
  '\u0000', '\u202e', 'Ω≈ç√∫', '👩‍👩‍👧‍👦', '\ud800', 'a'.repeat(5_000), '%00', '%2e%2e%2f', 'null', 'NaN', '-1', '1e309'];
const hostile = () => fc.oneof(fc.constantFrom(...INJECTIONS), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }));

async function snapshot(merchantId = m.merchantId): Promise<string> {
  const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(world.stack.db);
  const counts = await Promise.all(tables.rows.map(async ({ table_name }) =>
    `${table_name}=${(await sql<{ n: string }>`select count(*) as n from ${sql.id(table_name)}`.execute(world.stack.db)).rows[0].n}`));
  const workflows = await world.stack.client.workflow.count(`SettleMerchantId = '${merchantId}'`);
  return [...counts, `workflows=${workflows.count}`].join(' ');
}

function keyFor(op: any, who: QuoteMerchant = m): string | null {
  const scheme = Object.keys(op.security?.[0] ?? {})[0];
  return scheme === 'merchantApiKey' ? who.apiKey : scheme === 'cpqApiKey' ? who.cpqKey : scheme === 'adminApiKey' ? world.stack.apiDeps.adminApiKey : null;
}

/** A refusal: 4xx, problem+json with a type and a reason. */
function expectRefusal(what: string, res: HttpResponse) {
  const got = { what, status: res.status, type: res.headers.get('content-type'), detail: typeof res.body?.detail };
  expect(got).toEqual({ what, status: expect.any(Number), type: expect.stringContaining('application/problem+json'), detail: 'string' });
  expect(res.status >= 400 && res.status < 500 ? 'refused' : `${res.status} ${JSON.stringify(res.body)}`).toBe('refused');
  expect(res.body.detail.length).toBeGreaterThan(0);
}

async function send(method: string, path: string, opts: { key: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> }) {
  return httpClient(world.stack.api!.url)(method.toUpperCase(), path, opts);
}

/** A request with any method, which fetch will not send (TRACE), over node:http. */
function rawMethod(baseUrl: string, method: string, path: string, key: string): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${key}` } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        const headers = new Headers(Object.entries(res.headers).map(([k, v]) => [k, String(v)] as [string, string]));
        let body: any = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: the test says so
        }
        resolve({ status: res.statusCode!, headers, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const operations = () => Object.entries(doc.paths as Record<string, any>).flatMap(([path, ops]) =>
  Object.entries(ops as Record<string, any>).map(([method, op]) => ({ path, method, op })));

/** The path with each parameter filled in by `value(name)`. */
const fill = (path: string, value: (name: string) => string) => path.replace(/\{(\w+)\}/g, (_, name) => encode(value(name)));
/** A lone surrogate cannot be percent-encoded (URIError): send what a client can send, its well-formed version. */
const encode = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

/** A JSON value that is not of any type the schema allows. */
function wrongTypeFor(schema: any): fc.Arbitrary<unknown> {
  const allowed = new Set<string>([schema?.type, ...(schema?.anyOf ?? schema?.oneOf ?? []).map((s: any) => s.type)].flat().filter(Boolean));
  const all: Array<[string, fc.Arbitrary<unknown>]> = [
    ['string', fc.string()], ['number', fc.double({ noNaN: true })], ['integer', fc.integer()], ['boolean', fc.boolean()],
    ['null', fc.constant(null)], ['array', fc.array(fc.integer(), { maxLength: 3 })], ['object', fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 })],
  ];
  // A type the schema does not state (or a free-form one) would be allowed: no wrong value exists then.
  const wrong = all.filter(([t]) => !allowed.has(t) && !(t === 'integer' && allowed.has('number')) && !(t === 'number' && allowed.has('integer')));
  return allowed.size ? fc.oneof(...wrong.map(([, a]) => a)) : fc.constant(undefined);
}

it('covers every operation of the OpenAPI document', () => {
  expect(operations().length).toBeGreaterThan(20);
});

it('refuses malformed, mistyped, incomplete, oversized and mislabelled bodies on every operation, writing nothing', async () => {
  for (const { path, method, op } of operations().filter((o) => o.op.requestBody)) {
    const key = keyFor(op);
    const url = fill(path, (name) => (name === 'merchantId' || name === 'id' ? `mer_${'0'.repeat(24)}` : 'x'));
    const schema = op.requestBody.content['application/json'].schema;
    const props: Record<string, any> = schema.properties ?? {};
    const required: string[] = schema.required ?? [];
    const bodies = fc.oneof(
      fc.string({ maxLength: 30 }).map((s) => ({ rawBody: `{"${s}":`, headers: { 'content-type': 'application/json' } })),
      fc.constantFrom('[', '{"a":1,}', "{'a':1}", 'nul', '\u0000', '{"a":1}{').map((raw) => ({ rawBody: raw, headers: { 'content-type': 'application/json' } })),
      fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.integer())).map((body) => ({ body })),
      fc.constant({ rawBody: 'a=1', headers: { 'content-type': 'text/plain' } }),
      fc.constant({ rawBody: JSON.stringify({ pad: 'x'.repeat(20_000) }), headers: { 'content-type': 'application/json' } }),
      ...(required.length ? [fc.constant({ body: {} })] : []),
      ...Object.entries(props).map(([name, s]) => wrongTypeFor(s).filter((v) => v !== undefined).map((v) => ({ body: { [name]: v } }))),
    );
    const before = await snapshot();
    await fc.assert(fc.asyncProperty(bodies, async (req) => {
      const res = await send(method, url, { key, ...(req as object) });
      expectRefusal(`${method} ${path} ${JSON.stringify(req).slice(0, 200)}`, res);
    }), { numRuns: 8, seed: 9 });
    expect(await snapshot()).toBe(before);
  }
}, 180_000);

it('answers hostile path and query parameters on every operation without a 5xx; a refusal writes nothing', async () => {
  for (const { path, method, op } of operations().filter((o) => o.op.parameters?.some((p: any) => p.in !== 'header'))) {
    const key = keyFor(op);
    const queryNames: string[] = op.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name);
    await fc.assert(fc.asyncProperty(hostile(), hostile(), async (a, b) => {
      const query = queryNames.map((n) => `${n}=${encode(b)}`).join('&');
      const url = `${fill(path, () => a || 'x')}${query ? `?${query}` : ''}`;
      const before = await snapshot();
      const res = await send(method, url, { key, ...(op.requestBody ? { body: {} } : {}) });
      // A hostile value may still be a valid one (a free-form accounting invoice id, a text filter): then it is answered.
      if (res.status >= 400) {
        expectRefusal(`${method} ${url}`, res);
        expect(await snapshot()).toBe(before);
      } else expect(res.status).toBeLessThan(300);
    }), { numRuns: 5, seed: 7 });
  }
}, 180_000);

/**
 * A body shaped like the schema, with `text` in every free-text string (formats, enums and numbers get plausible
 * values, so a refusal, if any, is about the text): unicode and injection strings reach the handler where they can.
 */
function bodyWithText(schema: any, text: string): unknown {
  const s = schema?.anyOf?.find((o: any) => o.type !== 'null') ?? schema?.oneOf?.[0] ?? schema;
  if (s?.enum) return s.enum[0];
  if (s?.const !== undefined) return s.const;
  switch (Array.isArray(s?.type) ? s.type.find((t: string) => t !== 'null') : s?.type) {
    case 'object': return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, bodyWithText(v, text)]));
    case 'array': return [bodyWithText(s.items, text)];
    case 'integer': case 'number': return Math.max(1, s.minimum ?? 1);
    case 'boolean': return true;
    case 'string':
      return s.format === 'email' ? 'payer@example.com' : s.format === 'uri' ? 'https://example.com/x' : s.format === 'date' ? '2026-01-15'
        : s.format === 'date-time' ? '2026-01-15T00:00:00Z' : text;
    default: return text;
  }
}

it('answers unicode and injection strings in every text field of every operation without a 5xx; a refusal writes nothing', async () => {
  // A merchant of its own: accepted settings (payment methods, connections, integrations) must not change the
  // merchant the other tests use.
  const own = await setUpQuoteMerchant(world);
  const accepted = new Set<string>();
  for (const { path, method, op } of operations().filter((o) => o.op.requestBody)) {
    const key = keyFor(op, own);
    const url = fill(path, (name) => (name === 'merchantId' ? own.merchantId : 'x'));
    const schema = op.requestBody.content['application/json'].schema;
    await fc.assert(fc.asyncProperty(hostile(), async (text) => {
      const before = await snapshot(own.merchantId);
      const body = bodyWithText(schema, text);
      const res = await send(method, url, { key, body });
      if (res.status >= 400) {
        expectRefusal(`${method} ${path} ${JSON.stringify(body).slice(0, 200)}`, res);
        expect(await snapshot(own.merchantId)).toBe(before);
      } else {
        expect(res.status).toBeLessThan(300); // accepted as data, never interpreted
        accepted.add(`${method} ${path}`);
      }
    }), { numRuns: 4, seed: 11 });
  }
  // The text reached handlers and was stored, not only refused at the schema.
  process.stderr.write(`hostile text accepted by: ${[...accepted].join(', ')}\n`);
  expect(accepted.size).toBeGreaterThan(3);
}, 240_000);

// Every answer of `send` (httpClient) is also checked against the document: its status listed for the operation, its
// body matching the schema (test/support/openapi-contract.ts).
describe('the OpenAPI document is the contract', () => {
  it('lists what every operation can answer: 401, 403 and 429 where a key is needed, 404 where a path names a resource', () => {
    for (const { path, method, op } of operations()) {
      const statuses = Object.keys(op.responses);
      if (op.security) expect({ op: `${method} ${path}`, statuses }).toEqual({ op: `${method} ${path}`, statuses: expect.arrayContaining(['401', '403', '429']) });
      if (path.includes('{')) expect({ op: `${method} ${path}`, statuses }).toEqual({ op: `${method} ${path}`, statuses: expect.arrayContaining(['404']) });
    }
  });

  it('states the shape of amounts that the validator checks', () => {
    const amount = doc.paths['/v1/payments'].post.requestBody.content['application/json'].schema.properties.amount;
    expect(amount.pattern).toBeDefined();
    const pattern = new RegExp(amount.pattern);
    for (const ok of ['125.00', '1', '0.5']) expect(pattern.test(ok)).toBe(true);
    for (const bad of ['1e3', '-5.00', ' 1.00', '1,00', 'NaN', '0x10']) expect(pattern.test(bad)).toBe(false);
  });

  it('answers no key, a forged key and a valid key of another kind with a documented 401 or 403, on every operation', async () => {
    const forged = `sk_${randomBytes(24).toString('base64url')}`;
    for (const { path, method, op } of operations().filter((o) => o.op.security)) {
      const url = fill(path, (name) => (name === 'merchantId' ? m.merchantId : 'x'));
      const own = keyFor(op);
      const otherKind = own === m.apiKey ? m.cpqKey : m.apiKey;
      // A failure is 401 until this address has failed too often, then 429; a good key of the wrong kind is always 403.
      for (const [what, key, statuses] of [['no key', null, [401, 429]], ['a forged key', forged, [401, 429]], ['a valid key of another kind', otherKind, [403]]] as const) {
        const res = await send(method, url, { key, ...(op.requestBody ? { body: {} } : {}) });
        expect({ op: `${method} ${path}`, what, allowed: (statuses as readonly number[]).includes(res.status) ? 'yes' : res.status }).toEqual({ op: `${method} ${path}`, what, allowed: 'yes' });
      }
    }
  }, 120_000);

  it('answers unknown ids with a documented status on every operation that names a resource', async () => {
    for (const { path, method, op } of operations().filter((o) => o.path.includes('{'))) {
      const url = fill(path, (name) => (name === 'merchantId' ? `mer_${'0'.repeat(24)}` : name === 'month' ? '2020-01' : `unknown_${name}`));
      const res = await send(method, url, { key: keyFor(op), ...(op.requestBody ? { body: {} } : {}) });
      expect({ op: `${method} ${url}`, status: res.status < 500 ? 'no 5xx' : res.status }).toEqual({ op: `${method} ${url}`, status: 'no 5xx' });
    }
  }, 120_000);

  it('answers methods it does not know on every path with 405, the Allow header and problem+json', async () => {
    for (const [path, ops] of Object.entries(doc.paths as Record<string, any>)) {
      const url = fill(path, (name) => (name === 'merchantId' ? m.merchantId : 'x'));
      for (const method of ['TRACE', 'PROPFIND', 'QUERY', 'PATCH']) {
        if (ops[method.toLowerCase()]) continue;
        const res = await rawMethod(world.stack.api!.url, method, url, m.apiKey);
        expect({ path, method, status: res.status, type: res.headers.get('content-type') })
          .toEqual({ path, method, status: 405, type: expect.stringContaining('application/problem+json') });
        expect(res.headers.get('allow')?.split(/,\s*/).sort()).toEqual(expect.arrayContaining(Object.keys(ops).map((k) => k.toUpperCase())));
        expect(res.body.detail).toContain(method);
      }
    }
  });
});

describe('the codec endpoint', () => {
  const OPS_TOKEN = `ops-${randomBytes(24).toString('hex')}`;
  let ops: RunningApi;
  beforeAll(async () => {
    ops = await startApi({ ...world.stack.apiDeps, codec: { opsToken: OPS_TOKEN, corsOrigins: [] } }, 0);
  });
  afterAll(() => ops?.close());

  it('refuses malformed, mistyped, oversized and unauthenticated bodies with problem+json, never a 5xx', async () => {
    const codec = (body: { rawBody?: string; body?: unknown }, key: string | null = OPS_TOKEN, method = 'POST') =>
      httpClient(ops.url)(method, '/codec/decode', { key, ...body, headers: body.rawBody !== undefined ? { 'content-type': 'application/json' } : undefined });
    const bodies = fc.oneof(
      fc.string({ maxLength: 30 }).map((s) => ({ rawBody: `{"payloads":[${s}` })),
      fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.integer())).map((body) => ({ body })),
      fc.constantFrom({ body: { payloads: [{ data: 'not base64!' }] } }, { body: { payloads: 'x' } }, { body: {} },
        { body: { payloads: [{ metadata: { encoding: 'YmluYXJ5L2VuY3J5cHRlZA==' }, data: 'AAAA' }] } }, // claims to be sealed, is not
        { rawBody: JSON.stringify({ payloads: [{ data: 'A'.repeat(9 * 1024 * 1024) }] }) }),
      hostile().map((s) => ({ body: { payloads: [{ metadata: { [s]: 'AA==' }, data: 'AA==' }] } })),
    );
    await fc.assert(fc.asyncProperty(bodies, async (req) => {
      const res = await codec(req as { rawBody?: string; body?: unknown });
      if (res.status >= 400) expectRefusal(`codec ${JSON.stringify(req).slice(0, 120)}`, res);
      else expect(res.status).toBe(200);
    }), { numRuns: 30, seed: 5 });
    for (const key of [null, 'not-the-token', m.apiKey]) expectRefusal(`codec with ${key}`, await codec({ body: { payloads: [] } }, key));
    for (const method of ['GET', 'TRACE', 'PUT']) {
      const res = await rawMethod(ops.url, method, '/codec/decode', OPS_TOKEN);
      expect(res.status).toBe(405);
      expectRefusal(`codec ${method}`, res);
    }
  }, 120_000);
});

describe('money and text where it enters', () => {
  const BAD_AMOUNTS = ['1.001', '-5.00', '0', '0.00', '-0.00', '1e3', 'NaN', 'Infinity', '99999999999999999999.00', ' 1.00', '1,00', '', '0x10', '١٠٠'];
  const BAD_CURRENCIES = ['XXX', 'usd', 'BTC', '', 'AUD ', 'US$'];

  it('refuses wrong precision, negative, zero, huge and non-numeric amounts and unsupported currencies, writing nothing', async () => {
    const before = await snapshot();
    const cases: Array<[string, (amount: unknown, currency: unknown) => unknown, string]> = [
      ['/v1/payments', (amount, currency) => ({ amount, currency, reference: 'Bad money' }), m.apiKey],
      ['/v1/cpq/quote-payments', (amount, currency) => acceptBody({ oneTime: { amount, currency } }), m.cpqKey],
    ];
    for (const [path, body, key] of cases) {
      for (const amount of [...BAD_AMOUNTS, 12.5, 100, null]) expectRefusal(`${path} amount ${JSON.stringify(amount)}`, await send('POST', path, { key, body: body(amount, 'AUD') }));
      for (const currency of BAD_CURRENCIES) expectRefusal(`${path} currency ${currency}`, await send('POST', path, { key, body: body('10.00', currency) }));
    }
    expect(await snapshot()).toBe(before);
  });

  it('answers unicode and injection strings in every text field of a payment and a quote without a 5xx', async () => {
    const paymentFields = (s: string) => [{ reference: s }, { paidOn: s }, { invoices: [{ invoiceId: s, amount: '1.00' }] }];
    const quoteFields = (s: string) => [{ quoteId: s }, { returnUrl: s }, { customer: { company: s, name: s, email: s } }];
    await fc.assert(fc.asyncProperty(hostile(), async (s) => {
      for (const fields of paymentFields(s)) {
        const res = await send('POST', '/v1/payments', { key: m.apiKey, body: { amount: '10.00', currency: 'AUD', reference: 'r', ...fields } });
        if (res.status >= 400) expectRefusal(`payment ${JSON.stringify(fields)}`, res);
        else expect(res.body.reference).toBe(fields.reference ?? 'r'); // stored as given, never interpreted
      }
      for (const fields of quoteFields(s)) {
        const res = await send('POST', '/v1/cpq/quote-payments', { key: m.cpqKey, body: acceptBody(fields) });
        if (res.status >= 400) expectRefusal(`quote ${JSON.stringify(fields)}`, res);
      }
    }), { numRuns: 8, seed: 3 });
    // The injection strings were data: the tables are all still there.
    expect(await snapshot()).toMatch(/payments=\d+/);
  }, 120_000);
});

describe('CPQ callbacks', () => {
  const cpq = (method: string, path: string, opts: { key?: string | null; body?: unknown; rawBody?: string } = {}) =>
    send(method, path, { key: opts.key === undefined ? m.cpqKey : opts.key, body: opts.body, rawBody: opts.rawBody, headers: opts.rawBody ? { 'content-type': 'application/json' } : undefined });

  it('refuses malformed, oversized, forged and misdirected callbacks, writing nothing', async () => {
    const other = await setUpQuoteMerchant(world);
    const accepted = acceptBody();
    expect((await cpq('POST', '/v1/cpq/quote-payments', { body: accepted })).status).toBe(201);
    const before = await snapshot();
    const quote = `/v1/cpq/quote-payments/${accepted.quoteId}`;
    const refusals: Array<[string, Promise<HttpResponse>]> = [
      ['malformed', cpq('POST', '/v1/cpq/quote-payments', { rawBody: '{"quoteId":' })],
      ['not an object', cpq('POST', '/v1/cpq/quote-payments', { rawBody: '[]' })],
      ['oversized', cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody({ customer: { company: 'x'.repeat(300_000), name: 'n', email: 'e@x.example' } }) })],
      ['forged key', cpq('POST', '/v1/cpq/quote-payments', { key: `cpq_${randomBytes(24).toString('hex')}`, body: acceptBody() })],
      ["the merchant's API key instead of the CPQ key", cpq('POST', '/v1/cpq/quote-payments', { key: m.apiKey, body: acceptBody() })],
      ['no key', cpq('POST', '/v1/cpq/quote-payments', { key: null, body: acceptBody() })],
      ['the same quote, another amount', cpq('POST', '/v1/cpq/quote-payments', { body: { ...accepted, oneTime: { amount: '1.00', currency: 'USD' } } })],
      ['the same quote, another revision', cpq('POST', '/v1/cpq/quote-payments', { body: { ...accepted, revision: 2 } })],
      ["another merchant's CPQ key reading the quote", cpq('GET', quote, { key: other.cpqKey })],
      ["another merchant's CPQ key withdrawing the quote", cpq('POST', `${quote}/events`, { key: other.cpqKey, body: { type: 'withdrawn' } })],
      ['an event of an unknown type', cpq('POST', `${quote}/events`, { body: { type: 'paid' } })],
      ['an event for an unknown quote', cpq('POST', '/v1/cpq/quote-payments/Q-unknown/events', { body: { type: 'withdrawn' } })],
      ['an event, malformed', cpq('POST', `${quote}/events`, { rawBody: '{"type":"withdrawn"' })],
    ];
    for (const [what, res] of refusals) expectRefusal(what, await res);
    expect(await snapshot()).toBe(before);
    // The quote is as it was: still awaiting payment, not withdrawn by another merchant's key.
    expect((await cpq('GET', quote)).body.status).toBe('awaiting-checkout');
  });

  it('answers a replayed Accept and Pay with the same quote payment, starting nothing', async () => {
    const body = acceptBody();
    const first = await cpq('POST', '/v1/cpq/quote-payments', { body });
    expect(first.status).toBe(201);
    const before = await snapshot();
    const replays = await Promise.all([1, 2, 3].map(() => cpq('POST', '/v1/cpq/quote-payments', { body })));
    expect(replays.map((r) => [r.status, r.body.id, r.body.quoteId])).toEqual(replays.map(() => [200, first.body.id, body.quoteId]));
    expect(await snapshot()).toBe(before);
  });
});

describe('Stripe webhooks', () => {
  const url = () => `/webhooks/stripe/${m.merchantId}`;
  const signed = (payload: string, secret = m.stripeWebhookSecret, timestamp?: number) =>
    world.stripe.stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp ? { timestamp } : {}) });
  const deliver = (payload: string, signature: string, path = url()) =>
    send('POST', path, { key: null, rawBody: payload, headers: { 'content-type': 'application/json', 'stripe-signature': signature } });
  const event = (id = `evt_${randomBytes(8).toString('hex')}`) =>
    JSON.stringify({ id, object: 'event', type: 'customer.updated', created: Math.floor(Date.now() / 1000), data: { object: { object: 'customer', id: 'cus_x' } } });

  it('refuses malformed, oversized, stale, forged and misdirected deliveries, and anything signed that is not an event, writing nothing', async () => {
    const other = await setUpQuoteMerchant(world, { stripeWebhook: false });
    const before = await snapshot();
    const old = Math.floor(Date.now() / 1000) - 3_600;
    const refusals: Array<[string, Promise<HttpResponse>]> = [
      ['malformed, signed', deliver('{"id":', signed('{"id":'))],
      ['signed but not an event: {}', deliver('{}', signed('{}'))],
      ['signed but not an event: []', deliver('[]', signed('[]'))],
      ['signed, id of the wrong type', deliver('{"id":5,"type":"x","created":1}', signed('{"id":5,"type":"x","created":1}'))],
      ['signed, no created', deliver('{"id":"evt_1","type":"customer.updated"}', signed('{"id":"evt_1","type":"customer.updated"}'))],
      ['oversized', deliver(JSON.stringify({ pad: 'x'.repeat(20_000) }), signed('x'))],
      ['stale (a replay an hour later)', deliver(event(), signed(event(), m.stripeWebhookSecret, old))],
      ['forged', deliver(event(), signed(event(), 'whsec_forged'))],
      ["another merchant's secret", deliver(event(), signed(event(), other.stripeWebhookSecret))],
      ['unknown merchant', deliver(event(), signed(event()), `/webhooks/stripe/mer_${'0'.repeat(24)}`)],
      ['not a merchant id', deliver(event(), signed(event()), "/webhooks/stripe/' OR 1=1 --")],
    ];
    for (const [what, res] of refusals) expectRefusal(what, await res);
    expect(await snapshot()).toBe(before);
    // A refusal says that the signature is invalid, not which of the library's checks failed or where its docs are.
    const forged = await deliver(event(), signed(event(), 'whsec_forged'));
    expect(forged.body.detail).toBe('the Stripe-Signature header is not a valid signature of this body by this endpoint, or it is too old');
  });

  it('records a replayed event once', async () => {
    const payload = event();
    const header = signed(payload);
    expect((await deliver(payload, header)).body).toEqual({ received: true, handling: 'ignored' });
    const before = await snapshot();
    expect((await deliver(payload, header)).body).toEqual({ received: true, duplicate: true });
    expect(await snapshot()).toBe(before);
  });
});
