// Tenant isolation, walked from the OpenAPI document (so a route added tomorrow is walked too): every operation
// with merchant auth and a path parameter is called by merchant B with merchant A's resource ids (created through
// the API where practical), or with a valid-looking id built from the parameter's schema. B must get 404 (403 is
// accepted for writes), never a 2xx and never a 5xx. A reads its own resources, so the ids are real.
import { randomBytes } from 'node:crypto';
import { registerPayer } from '../../../db/payers';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { startTestStack, type TestStack } from '../../support/stack';
import { onboardStripeAccount, startStripe, type StripeFixture } from '../../support/stripe';

interface Parameter { name: string; in: string; schema?: JsonSchema }
interface JsonSchema { type?: string | string[]; enum?: unknown[]; pattern?: string; format?: string; minimum?: number; minLength?: number;
  properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema; minItems?: number; anyOf?: JsonSchema[]; const?: unknown }
interface Operation { operationId: string; security?: Array<Record<string, unknown>>; parameters?: Parameter[];
  requestBody?: { content: { 'application/json': { schema: JsonSchema } } } }

// Path parameters that name something in the caller's own namespace, not a resource another merchant could own:
// calling them as B acts on B's own data, so there is nothing to isolate. Anything not here is walked.
const OWN_NAMESPACE_PARAMS: Record<string, string> = {
  role: "an accounting connection role (wise-pay, company, service) of the caller's own connections",
  invoiceId: "the caller's accounting invoice id: PUT marks the caller's own invoice as on a payment plan",
};

let stack: TestStack;
let stripe: StripeFixture;
let asA: ReturnType<typeof httpClient>;
const ids: Record<string, string> = {}; // path template → merchant A's id for its parameter

beforeAll(async () => {
  stripe = await startStripe();
  stack = await startTestStack({ stripe: { stripe: stripe.stripe, publishableKey: stripe.publishableKey } });
  const a = await createTestMerchant(stack, 'Merchant A');
  asA = httpClient(stack.api!.url, a.apiKey);
  // A takes payments on its own connected account, onboarded as a merchant does (quotes are refused before).
  await onboardStripeAccount(stack.api!.url, a.apiKey);
  const ok = async (what: string, p: Promise<{ status: number; body: any }>) => {
    const r = await p;
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  ids['/v1/payments/{paymentId}'] = (await ok('payment', asA('POST', '/v1/payments', { body: { amount: '10.00', currency: 'AUD', reference: 'ISO-1' } }))).id;
  const customer = await ok('customer', asA('POST', '/v1/customers', { body: { customerReference: '12345', name: 'Isolated Pty Ltd', email: 'ap@isolated.example' } }));
  ids['/v1/customers/{customerId}'] = customer.id;
  ids['/v1/customers/{customerId}/contact'] = customer.id;
  const today = new Date().toISOString().slice(0, 10);
  ids['/v1/bpay/payments/{paymentId}'] = (await ok('bpay payment', asA('POST', '/v1/bpay/payments', { body: { customerReference: '12345', amount: '5.00', currency: 'AUD', paidDate: today } }))).id;
  ids['/v1/bpay/imports/{importId}'] = (await ok('bpay import', asA('POST', '/v1/bpay/imports', { body: { currency: 'AUD', csv: `customer_reference,amount,paid_date\n12345,1.00,${today}\n` } }))).id;
  // A quote payment, accepted as CPQ accepts it, and a registered payer.
  await ok('methods', asA('PUT', '/v1/payment-methods', { body: { methods: ['card'] } }));
  await ok('cpq', asA('PUT', '/v1/integrations/cpq', { body: { enabled: true, allowedMethods: ['card'] } }));
  const cpqKey = (await ok('cpq key', asA('POST', '/v1/integrations/cpq/api-key'))).apiKey;
  const quote = await ok('quote', httpClient(stack.api!.url, cpqKey)('POST', '/v1/cpq/quote-payments', { body: {
    quoteId: `Q-ISO-${randomBytes(3).toString('hex')}`, revision: 1, customer: { company: 'Isolated Pty Ltd', name: 'Iso Payer', email: 'iso@isolated.example' },
    oneTime: { amount: '20.00', currency: 'USD' }, returnUrl: 'https://cpq.example/return' } }));
  ids['/v1/quote-payments/{quotePaymentId}'] = quote.id;
  ids['/v1/quote-payments/{quotePaymentId}/cancel'] = quote.id;
  const { payer } = await registerPayer(stack.db, stack.apiDeps.keyring, a.merchantId, { name: 'Iso Payer', email: 'iso@isolated.example' });
  for (const path of ['/v1/payers/{payerId}/past-payments', '/v1/payers/{payerId}/outstanding']) ids[path] = payer.id;
});
afterAll(async () => {
  await stack?.close();
  await stripe?.close();
});

/** A string that satisfies the common id patterns (`^pre_[0-9a-f]{24}$`, digits, letters), else a plain token. */
function sampleFor(schema: JsonSchema = {}): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return sampleFor(schema.anyOf.find((s) => s.type !== 'null') ?? schema.anyOf[0]);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'object') {
    return Object.fromEntries((schema.required ?? []).map((name) => [name, sampleFor(schema.properties?.[name])]));
  }
  if (type === 'array') return Array.from({ length: schema.minItems ?? 0 }, () => sampleFor(schema.items));
  if (type === 'integer' || type === 'number') return schema.minimum ?? 1;
  if (type === 'boolean') return true;
  if (schema.format === 'email') return 'someone@example.com';
  if (schema.format === 'uri') return 'https://example.com/';
  if (schema.format === 'date') return '2026-01-01';
  const id = schema.pattern && /^\^([a-z]+_)\[0-9a-f\]\{(\d+)\}\$$/.exec(schema.pattern);
  if (id) return `${id[1]}${'ab'.repeat(Number(id[2]) / 2)}`;
  if (schema.pattern?.includes('\\d')) return '12345';
  return 'x'.repeat(Math.max(schema.minLength ?? 1, 8)).replace(/^x/, 'a');
}

it('refuses merchant A\'s resources to merchant B on every route with a path parameter', async () => {
  const b = await createTestMerchant(stack, 'Merchant B');
  const asB = httpClient(stack.api!.url, b.apiKey);
  const document = (await httpClient(stack.api!.url)('GET', '/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
  const walked: string[] = [];
  const failures: string[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!op.security?.some((s) => 'merchantApiKey' in s)) continue;
      const params = (op.parameters ?? []).filter((p) => p.in === 'path');
      if (params.length === 0 || params.some((p) => p.name in OWN_NAMESPACE_PARAMS)) continue;
      const created = ids[template];
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) =>
        encodeURIComponent(created ?? String(sampleFor(params.find((p) => p.name === name)?.schema))));
      const body = op.requestBody ? sampleFor(op.requestBody.content['application/json'].schema) : undefined;
      const label = `${method.toUpperCase()} ${template} (${op.operationId}, ${created ? "A's id" : 'an id from the schema'})`;
      walked.push(label);
      if (created && method === 'get') {
        const own = await asA('GET', path);
        if (own.status !== 200) failures.push(`${label}: merchant A itself got ${own.status}`);
      }
      const response = await asB(method.toUpperCase(), path, body === undefined ? {} : { body });
      const allowed = method === 'get' ? [404] : [403, 404];
      if (created ? !allowed.includes(response.status) : response.status < 400 || response.status >= 500) {
        failures.push(`${label}: merchant B got ${response.status} ${JSON.stringify(response.body)}`);
      }
    }
  }
  expect(failures).toEqual([]);
  // Every resource made for the walk was tried with A's real id (a renamed route shows here, not as a silent skip).
  for (const template of Object.keys(ids)) expect(walked.filter((w) => w.includes(`${template} (`) && w.includes("A's id"))).toHaveLength(1);
});
