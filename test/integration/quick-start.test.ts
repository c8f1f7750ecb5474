// The README's Quick start, for real: `npm start` (dev/start.ts) brings up Temporal with its Web UI,
// Postgres, migrations, a worker per queue and the API; a payment goes through and shows in Temporal;
// Ctrl-C stops everything and leaves no process behind. Ports and data folder are the test's own.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createDb } from '../../db/database';
import { parseKeyring } from '../../lib/crypto/sealed-box';
import { freePort } from '../../lib/net';
import { findTemporalCli } from '../../lib/temporal/binaries';
import { settleDataConverter } from '../../lib/temporal/payload-codec';
import { httpClient } from '../support/http';
import { runEntryPoint } from '../support/processes';
import { ensureConsoleBuilt } from '../../dev/console-build';

function processesMentioning(text: string): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

// The console's build is its own (about a minute on 2 cores, once per change): made here, so the start below is timed
// without it, as on a machine where it is current.
beforeAll(() => ensureConsoleBuilt(), 300_000);

it('starts everything with one command and stops it all on Ctrl-C', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'settle-quick-start-'));
  const [apiPort, temporalPort, uiPort, pgPort, xeroPort, qboPort, stripePort, managePort, bssPort, smtpPort, inboxPort] = await Promise.all(Array.from({ length: 11 }, () => freePort()));
  const env = {
    SETTLE_DATA_DIR: dataDir,
    PORT: String(apiPort),
    SETTLE_TEMPORAL_PORT: String(temporalPort),
    SETTLE_TEMPORAL_UI_PORT: String(uiPort),
    SETTLE_PG_PORT: String(pgPort),
    SETTLE_XERO_EMULATOR_PORT: String(xeroPort),
    SETTLE_QUICKBOOKS_EMULATOR_PORT: String(qboPort),
    SETTLE_STRIPE_EMULATOR_PORT: String(stripePort),
    SETTLE_MANAGE_EMULATOR_PORT: String(managePort),
    SETTLE_BSS_EMULATOR_PORT: String(bssPort),
    SETTLE_SMTP_SINK_PORT: String(smtpPort),
    SETTLE_MAIL_INBOX_PORT: String(inboxPort),
    TEMPORAL_CLI_PATH: (await findTemporalCli())!,
  };
  const settle = runEntryPoint('dev/start.ts', env);
  try {
    await settle.waitForOutput(/Press Ctrl-C to stop/, 90_000);
    // One name for this machine in every printed URL, as in the README and the Pay Now links.
    expect(settle.stdout()).toContain(`API          http://localhost:${apiPort}`);
    const banner = settle.stdout().slice(settle.stdout().indexOf('Settle is running'));
    expect(banner).not.toMatch(/http:\/\/127\.0\.0\.1/);
    expect(settle.stdout()).toContain(`Temporal UI  http://localhost:${uiPort}`);

    const request = httpClient(`http://127.0.0.1:${apiPort}`);
    expect(await request('GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
    const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
    expect(ui.status).toBe(200);
    // The Web UI decodes payloads through the API's codec endpoint (its settings name it).
    expect(await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`)).text()).toContain(`http://127.0.0.1:${apiPort}/codec`);

    const creds = JSON.parse(readFileSync(path.join(dataDir, 'sandbox.json'), 'utf8'));
    // Sandbox mode: the merchant is connected to the Xero emulator, which answers on its port.
    expect(settle.stdout()).toContain(`Emulators    Xero http://localhost:${xeroPort}`);
    const connections = await request('GET', '/v1/connections', { key: creds.merchantApiKey });
    expect(connections.body.connections[0]).toMatchObject({ role: 'wise-pay', platform: 'xero', status: 'connected' });
    expect((await fetch(`http://127.0.0.1:${xeroPort}/_emulator/state`)).status).toBe(200);
    // The console, with the sandbox admin's sign-in printed beside it.
    expect(settle.stdout()).toContain(`Console      http://localhost:${apiPort}/console   (sign in as ${creds.consoleAdmin.email} / ${creds.consoleAdmin.password})`);
    const consolePage = await fetch(`http://127.0.0.1:${apiPort}/console/sign-in`);
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toContain('/console/assets/');
    const signIn = await request('POST', '/v1/session', { body: creds.consoleAdmin });
    expect(signIn).toMatchObject({ status: 201, body: { user: { role: 'admin' }, merchant: { id: creds.merchantId } } });
    // And a platform admin (who turns multi-connection on), printed beside it.
    expect(settle.stdout()).toContain(`platform admin (turns multi-connection on): ${creds.platformAdmin.email} / ${creds.platformAdmin.password}`);
    const platformSignIn = await request('POST', '/v1/session', { body: creds.platformAdmin });
    expect(platformSignIn).toMatchObject({ status: 201, body: { user: { role: 'admin', platformAdmin: true }, merchant: { id: creds.merchantId } } });
    const created = await request('POST', '/v1/payments', {
      key: creds.merchantApiKey,
      body: { amount: '125.00', currency: 'AUD', reference: 'INV-1001' },
    });
    expect(created.status).toBe(202);

    // The sandbox merchant is paid into its own Stripe connected account, onboarded at start through Settle and the
    // emulator's hosted page: the emulator has that account, ready to take charges.
    const stripeAccount = await request('GET', '/v1/integrations/stripe/account', { key: creds.merchantApiKey });
    expect(stripeAccount.body).toMatchObject({ chargesEnabled: true, payoutsEnabled: true, detailsSubmitted: true });
    const emulated = await (await fetch(`http://127.0.0.1:${stripePort}/_emulator/state`)).json();
    expect(JSON.stringify(emulated)).toContain(stripeAccount.body.accountId);
    // A quote accepted as CPQ would: the answer is a Pay Now link on this API, and the page answers.
    const quote = await request('POST', '/v1/cpq/quote-payments', {
      key: creds.cpqApiKey,
      body: { quoteId: 'Q-QS-1', revision: 1, customer: { company: 'Contoso Ltd', name: 'Dana', email: 'dana@contoso.example' },
        oneTime: { amount: '1250.00', currency: 'USD' }, returnUrl: 'https://example.com/quote' },
    });
    expect(quote.status).toBe(201);
    expect(quote.body.payNowUrl).toMatch(new RegExp(`^http://localhost:${apiPort}/pay/q/`));
    const page = await fetch(quote.body.payNowUrl.replace('localhost', '127.0.0.1'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Q-QS-1');
    expect(settle.stdout()).toContain(`Stripe http://localhost:${stripePort}`);
    // The mail inbox of the sandbox answers where the start says.
    expect(settle.stdout()).toContain(`Mail inbox   http://localhost:${inboxPort}`);
    expect(await (await fetch(`http://127.0.0.1:${inboxPort}/`)).text()).toContain('Sandbox inbox');
    // Billing sync: the sandbox merchant is connected to the seeded Manage and BSS emulators.
    const billing = await request('POST', '/v1/billing-sync/runs', { key: creds.merchantApiKey, body: { month: new Date().toISOString().slice(0, 7) } });
    expect(billing.status).toBe(201);
    expect((await fetch(`http://127.0.0.1:${managePort}/_emulator/state`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${bssPort}/_emulator/state`)).status).toBe(200);

    const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
    try {
      // Its payloads are encrypted with the sandbox's keys (.data/sandbox.json): this client decrypts with them.
      const client = new Client({ connection, dataConverter: settleDataConverter(parseKeyring(creds.encryptionKeys)) });
      const handle = client.workflow.getHandle(`payment/${creds.merchantId}/${created.body.id}`);
      expect(await handle.result()).toMatchObject({ status: 'recorded' });
      // What ops see in the Web UI's list: the workflow, found by its merchant.
      const listed = [];
      for await (const wf of client.workflow.list({ query: `SettleMerchantId = '${creds.merchantId}'` })) listed.push(wf.workflowId);
      expect(listed).toContain(handle.workflowId);
    } finally {
      await connection.close();
    }

    // The merchant regenerates its CPQ key and an admin revokes its API key: the next start prints keys that work.
    const rotatedCpq = (await request('POST', '/v1/integrations/cpq/api-key', { key: creds.merchantApiKey })).body.apiKey;
    expect(rotatedCpq).not.toBe(creds.cpqApiKey);
    const db = createDb(`postgres://settle:settle@127.0.0.1:${pgPort}/postgres`, 1);
    const [{ id: keyId }] = await db.selectFrom('merchant_api_keys').select('id').where('merchant_id', '=', creds.merchantId).execute();
    await db.destroy();
    expect((await request('DELETE', `/v1/admin/merchants/${creds.merchantId}/api-keys/${keyId}`, { key: creds.adminApiKey })).status).toBe(204);
    expect((await request('GET', '/v1/merchant', { key: creds.merchantApiKey })).status).toBe(401);

    expect(await settle.stop('SIGINT')).toBe(0);
    expect(settle.stdout()).toContain('"msg":"stopped"');
    expect(processesMentioning(dataDir)).toEqual([]);

    const again = runEntryPoint('dev/start.ts', env);
    try {
      await again.waitForOutput(/Press Ctrl-C to stop/, 90_000);
      expect(again.stdout()).toContain(`Bearer ${rotatedCpq}`);
      expect(again.stdout()).not.toContain(creds.cpqApiKey);
      const printedKey = /v1\/payments -H "Authorization: Bearer (\S+)"/.exec(again.stdout())![1];
      expect((await request('GET', '/v1/merchant', { key: printedKey })).status).toBe(200);
      expect(await again.stop('SIGINT')).toBe(0);
    } finally {
      await again.stop('SIGKILL');
    }
  } finally {
    await settle.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 180_000);
