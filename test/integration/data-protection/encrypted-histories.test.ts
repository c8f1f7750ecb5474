// Workflow histories hold ciphertext: a payment whose reference names its payer is taken through the API (the
// normal client, with the payload codec), its raw history is read with a client WITHOUT the codec, and no payload
// in it is readable. The API's /codec endpoint (the Temporal Web UI's codec server) decodes the same payloads for
// ops, with the ops token, and refuses everyone else. Failures are sealed too: a billing sync refusal that quotes the
// customer a merchant typed keeps only "Encoded failure" in the raw history, and the API still shows the reason.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { createMerchant } from '../../../db/merchants';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../../lib/temporal/payload-codec';
import { startApi, type RunningApi } from '../../../api/serve';
import { paymentWorkflowId } from '../../../workflows/payments/definitions';
import { charge, setUpBillingMerchant, startBillingWorld, untilRunStatus, type BillingMerchant, type BillingWorld } from '../../support/billing-sync';
import { eventually } from '../../support/eventually';
import { decodePayloadsInPlace } from '../../support/histories';
import { httpClient } from '../../support/http';
import { NAMESPACE, startTestStack, type TestStack } from '../../support/stack';

interface WirePayload {
  metadata: Record<string, string>;
  data: string;
}

const UI_ORIGIN = 'http://temporal-ui.example:8080';
const OPS_TOKEN = `ops-${randomBytes(24).toString('hex')}`;
const PAYER_NAME = 'Dana Whitlock';
const PAYER_EMAIL = `dana.whitlock+${randomBytes(3).toString('hex')}@contoso.example`;

let stack: TestStack;
let opsApi: RunningApi;
let merchantKey: string;
let workflowId: string;

/**
 * Every payload in a history's JSON (Temporal's proto JSON: metadata values and data are base64), but search
 * attributes — Temporal must index them, so no codec sees them (they hold only ids, statuses and amounts) — and
 * patch markers, which the SDK's core writes itself as `{"id": <patch id>, "deprecated": …}` in json/plain: a name
 * from the code, never data.
 */
function payloadsIn(value: unknown, found: WirePayload[] = []): WirePayload[] {
  if (!value || typeof value !== 'object') return found;
  if ('indexedFields' in value) return found;
  if ((value as { markerName?: unknown }).markerName === 'core_patch') return found;
  const candidate = value as Partial<WirePayload>;
  if (candidate.metadata && typeof candidate.metadata === 'object' && 'encoding' in candidate.metadata) {
    found.push({ metadata: candidate.metadata, data: candidate.data ?? '' });
    return found;
  }
  for (const child of Object.values(value)) payloadsIn(child, found);
  return found;
}

const base64Text = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

beforeAll(async () => {
  // A workflows worker only: the payment's activity is scheduled (its input is in the history) and waits.
  stack = await startTestStack({ roles: ['workflows'] });
  opsApi = await startApi({ ...stack.apiDeps, codec: { opsToken: OPS_TOKEN, corsOrigins: [UI_ORIGIN] } }, 0);
  const { merchant, apiKey } = await createMerchant(stack.db, 'Codec MSP');
  merchantKey = apiKey.key;
  const created = await httpClient(stack.api!.url, merchantKey)('POST', '/v1/payments', {
    body: { amount: '99.00', currency: 'AUD', reference: `INV-7 ${PAYER_NAME} ${PAYER_EMAIL}` },
  });
  expect(created.status).toBe(202);
  workflowId = paymentWorkflowId(merchant.id, created.body.id);
});
afterAll(async () => {
  await opsApi.close();
  await stack.close();
});

/** The raw history, read by a client that has no codec (as anyone with access to Temporal would see it). */
async function rawHistoryJson(): Promise<string> {
  const plainClient = new Client({ connection: stack.client.connection, namespace: NAMESPACE });
  return eventually(
    'the payment activity is scheduled',
    async () => historyToJSON(await plainClient.workflow.getHandle(workflowId).fetchHistory()),
    (json) => json.includes('ActivityTaskScheduled') || json.includes('ACTIVITY_TASK_SCHEDULED'),
  );
}

it('stores only ciphertext: no payload of the raw history is readable, none holds the payer', async () => {
  const json = await rawHistoryJson();
  const payloads = payloadsIn(JSON.parse(json));
  expect(payloads.length).toBeGreaterThanOrEqual(2); // the workflow input and the activity input at least
  for (const payload of payloads) {
    expect(base64Text(payload.metadata.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(base64Text(payload.metadata[KEY_ID_METADATA])).toBe(stack.apiDeps.keyring.currentKeyId);
    const bytes = Buffer.from(payload.data, 'base64');
    for (const secret of [PAYER_EMAIL, PAYER_NAME, 'INV-7', 'json/plain']) expect(bytes.includes(secret)).toBe(false);
  }
  for (const secret of [PAYER_EMAIL, PAYER_NAME, 'contoso', 'Whitlock']) expect(json).not.toContain(secret);
});

it('decodes the history for ops through /codec/decode, as the Web UI calls it', async () => {
  const payloads = payloadsIn(JSON.parse(await rawHistoryJson()));
  const decoded = await fetch(`${opsApi.url}/codec/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${OPS_TOKEN}`, 'x-namespace': NAMESPACE, origin: UI_ORIGIN },
    body: JSON.stringify({ payloads }),
  });
  expect(decoded.status).toBe(200);
  expect(decoded.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  expect(decoded.headers.get('access-control-allow-credentials')).toBe('true');
  const body = (await decoded.json()) as { payloads: WirePayload[] };
  expect(body.payloads).toHaveLength(payloads.length);
  expect(body.payloads.every((p) => base64Text(p.metadata.encoding) === 'json/plain')).toBe(true);
  expect(body.payloads.map((p) => base64Text(p.data)).join('\n')).toContain(PAYER_EMAIL);

  // Encode is the inverse (the UI uses it to send signals and queries): decoding its output gives the input back.
  const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"hello"').toString('base64') };
  const ops = httpClient(opsApi.url, OPS_TOKEN);
  const encoded = await ops('POST', '/codec/encode', { body: { payloads: [plain] } });
  expect(base64Text(encoded.body.payloads[0].metadata.encoding)).toBe(ENCRYPTED_ENCODING);
  expect((await ops('POST', '/codec/decode', { body: encoded.body })).body).toEqual({ payloads: [plain] });
});

it('refuses to decode without the ops token, with a wrong one, with a merchant key, or when no token is configured', async () => {
  const payloads = payloadsIn(JSON.parse(await rawHistoryJson())).slice(0, 1);
  for (const [key, status] of [[null, 401], [`ops-${randomBytes(24).toString('hex')}`, 401], [merchantKey, 403]] as const) {
    const refused = await httpClient(opsApi.url)('POST', '/codec/decode', { key, body: { payloads } });
    expect(refused.status).toBe(status); // a merchant key is a valid key of the wrong kind: 403, not a guess
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(refused.body)).not.toContain(PAYER_EMAIL);
  }
  // The Web UI's Origin proves nothing: without sandbox trust it changes nothing.
  const withOrigin = await httpClient(opsApi.url)('POST', '/codec/decode', { key: null, body: { payloads }, headers: { origin: UI_ORIGIN } });
  expect(withOrigin.status).toBe(401);
  // The stack's own API has no ops token configured: the endpoint is off for everyone.
  const off = await httpClient(stack.api!.url)('POST', '/codec/decode', { key: OPS_TOKEN, body: { payloads } });
  expect(off).toMatchObject({ status: 403, body: { type: '/problems/forbidden' } });
});

describe('sandbox trust of the local Web UI', () => {
  // `npm start` in sandbox mode: the local UI cannot send a token. Only a request whose connection is loopback at both
  // ends, not relayed by a proxy and not from a page of another origin, decodes without one — on an API listening on
  // every address, as HOST=0.0.0.0 makes it.
  let sandboxApi: RunningApi;
  const otherAddress = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  beforeAll(async () => {
    sandboxApi = await startApi({ ...stack.apiDeps, sandbox: true, codec: { opsToken: OPS_TOKEN, corsOrigins: [UI_ORIGIN], trustLocalUi: true } }, 0, '0.0.0.0');
  });
  afterAll(() => sandboxApi?.close());
  const port = () => new URL(sandboxApi.url).port;
  const decode = async (host: string, headers: Record<string, string>) => {
    const payloads = payloadsIn(JSON.parse(await rawHistoryJson())).slice(0, 1);
    return httpClient(`http://${host}:${port()}`)('POST', '/codec/decode', { key: null, body: { payloads }, headers });
  };

  it('decodes for the local UI and local tools over loopback', async () => {
    expect((await decode('127.0.0.1', { origin: UI_ORIGIN })).status).toBe(200);
    expect((await decode('127.0.0.1', {})).status).toBe(200);
  });

  it('refuses a page of another origin, a proxied request, and any other address, whatever Origin it claims', async () => {
    expect((await decode('127.0.0.1', { origin: 'https://evil.example' })).status).toBe(401);
    expect((await decode('127.0.0.1', { origin: UI_ORIGIN, 'x-forwarded-for': '203.0.113.9' })).status).toBe(401);
    expect((await decode('127.0.0.1', { origin: UI_ORIGIN, forwarded: 'for=203.0.113.9' })).status).toBe(401);
    if (!otherAddress) return void process.stderr.write('[codec] no non-loopback IPv4 address here: the remote-address case was not run\n');
    const remote = await decode(otherAddress, { origin: UI_ORIGIN });
    expect(remote.status).toBe(401);
    expect(JSON.stringify(remote.body)).not.toContain(PAYER_EMAIL);
  });
});

it("answers the Web UI's CORS preflight for its origin only", async () => {
  const preflight = (origin: string) => fetch(`${opsApi.url}/codec/decode`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
  });
  const allowed = await preflight(UI_ORIGIN);
  expect(allowed.status).toBe(204);
  expect(allowed.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
  expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-namespace');
  expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
  const other = await preflight('https://evil.example');
  expect(other.headers.get('access-control-allow-origin')).toBeNull();
});

describe('failures', () => {
  // A customer name the merchant typed: the activity's refusal and the update's failure both quote it.
  const CUSTOMER = `Quillon Marchetti ${randomBytes(3).toString('hex')}`;
  const MONTH = '2026-11';
  let world: BillingWorld;
  let m: BillingMerchant;

  beforeAll(async () => {
    world = await startBillingWorld({ roles: ['workflows', 'company'] });
    m = await setUpBillingMerchant(world);
    m.bssAccount.setCharges(MONTH, [charge('Contoso Ltd', 'SUB-1', 'Microsoft 365 Business Basic', 1)]);
    expect((await m.api('POST', '/v1/billing-sync/runs', { body: { month: MONTH } })).status).toBe(201);
    await untilRunStatus(m, MONTH, 'awaiting-links');
  });
  afterAll(() => world?.close());

  /** Every failure (and nested cause) in a history's JSON. */
  function failuresIn(value: unknown, found: Record<string, unknown>[] = []): Record<string, unknown>[] {
    if (!value || typeof value !== 'object') return found;
    for (const [key, child] of Object.entries(value)) {
      if ((key === 'failure' || key === 'cause') && child && typeof child === 'object') found.push(child as Record<string, unknown>);
      failuresIn(child, found);
    }
    return found;
  }

  it('keeps only "Encoded failure" in the raw history; the real message and stack trace are sealed and decode with the codec', async () => {
    const refused = await m.api('POST', `/v1/billing-sync/runs/${MONTH}/create-missing`, { body: { kind: 'company', key: CUSTOMER } });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain(CUSTOMER); // the API's client has the codec: the merchant sees the reason

    const plainClient = new Client({ connection: world.stack.client.connection, namespace: NAMESPACE });
    const json = historyToJSON(await plainClient.workflow.getHandle(m.handle(MONTH).workflowId).fetchHistory());
    expect(json).toMatch(/ACTIVITY_TASK_FAILED|ActivityTaskFailed/);
    expect(json).toMatch(/WORKFLOW_EXECUTION_UPDATE_COMPLETED|WorkflowExecutionUpdateCompleted/);
    const failures = failuresIn(JSON.parse(json));
    expect(failures.length).toBeGreaterThanOrEqual(2); // the activity's refusal and the update's failure
    for (const failure of failures) {
      expect(failure.message).toBe('Encoded failure');
      expect(failure.stackTrace ?? '').toBe('');
      const sealed = failure.encodedAttributes as WirePayload;
      expect(base64Text(sealed.metadata.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(base64Text(sealed.metadata[KEY_ID_METADATA])).toBe(world.stack.apiDeps.keyring.currentKeyId);
    }
    for (const secret of [CUSTOMER, 'Quillon', 'Marchetti', 'no line of this month', 'billing-sync/links']) expect(json).not.toContain(secret);

    // A client with the codec reads each failure's message and the activity's stack trace back.
    const { payloadCodecs, failureConverter, payloadConverter } = world.stack.client.options.loadedDataConverter;
    const history = await m.handle(MONTH).fetchHistory();
    const activityFailure = history.events!.find((e) => e.activityTaskFailedEventAttributes)!.activityTaskFailedEventAttributes!.failure!;
    const updateFailure = history.events!.find((e) => e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.failure)!
      .workflowExecutionUpdateCompletedEventAttributes!.outcome!.failure!;
    await decodePayloadsInPlace([activityFailure, updateFailure], payloadCodecs);
    const [activityError, updateError] = [activityFailure, updateFailure].map((f) => failureConverter.failureToError(f, payloadConverter));
    expect(activityError.message).toBe(`no line of this month has the customer "${CUSTOMER}"`);
    expect(activityError.stack).toMatch(/billing-sync[\\/]links/);
    expect(updateError.message).toBe(activityError.message);
  });
});
