// A payment upload for fault runs: N invoices in the Xero emulator, N payments taken through the API, each paying
// 40.00 of its invoice's 100.00 (so a second posting would be accepted by Xero and show in the ledger, not be
// refused as an overpayment), and the checks that matter afterwards: every workflow completed, every payment
// synced, and each invoice carries exactly one payment.
import { randomBytes } from 'node:crypto';
import type { QuoteWorld } from '../support/quotes';
import { httpClient } from '../support/http';
import { createTestMerchant } from '../support/merchants';
import { paymentWorkflowId } from '../../workflows/payments/definitions';
import type { PaymentState } from '../../workflows/payments/definitions';

/** The full run (`npm run chaos`) or the bounded slice CI runs with `npm test`. */
export const FULL = process.env.SETTLE_CHAOS === 'full';

export interface UploadRun {
  merchantId: string;
  api: ReturnType<typeof httpClient>;
  invoiceIds: string[];
  paymentIds: string[];
}

export async function connectedMerchant(world: QuoteWorld) {
  const { merchantId, apiKey } = await createTestMerchant(world.stack, `Chaos MSP ${randomBytes(3).toString('hex')}`);
  const tokens = world.xero.emu.oauth.issue(world.xero.tenantId, `settle-${merchantId}`);
  await world.stack.accounting.connections.connect(merchantId, 'wise-pay', { platform: 'xero', tenantId: world.xero.tenantId, tokens });
  return { merchantId, api: httpClient(world.stack.api!.url, apiKey) };
}

/** `count` authorised invoices of 100.00, created 50 a call straight at the emulator (set-up, not under test). */
export async function seedInvoices(world: QuoteWorld, count: number): Promise<string[]> {
  const contact = (await world.xero.raw('PUT', '/Contacts', { Contacts: [{ Name: `Chaos Customer ${randomBytes(3).toString('hex')}` }] })).body.Contacts[0];
  const today = new Date().toISOString().slice(0, 10);
  const ids: string[] = [];
  for (let i = 0; i < count; i += 50) {
    const Invoices = Array.from({ length: Math.min(50, count - i) }, () => ({
      Type: 'ACCREC', Contact: { ContactID: contact.ContactID }, Date: today, DueDate: today, Status: 'AUTHORISED', CurrencyCode: 'AUD',
      LineItems: [{ Description: 'Managed services', Quantity: 1, UnitAmount: 100, AccountCode: '200', TaxType: 'NONE' }],
    }));
    const res = await world.xero.raw('PUT', '/Invoices', { Invoices });
    if (res.status !== 200) throw new Error(`seeding invoices: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(...res.body.Invoices.map((inv: { InvoiceID: string }) => inv.InvoiceID));
  }
  return ids;
}

/**
 * Takes one payment per invoice through POST /v1/payments, `concurrency` at a time. Each carries an Idempotency-Key,
 * so a request that failed while a dependency was down is simply sent again (as a merchant's client would).
 */
export async function takePayments(run: Omit<UploadRun, 'paymentIds'>, opts: { concurrency?: number; retryFor?: number } = {}): Promise<string[]> {
  const ids: string[] = new Array(run.invoiceIds.length);
  let next = 0;
  const deadline = Date.now() + (opts.retryFor ?? 0);
  await Promise.all(Array.from({ length: opts.concurrency ?? 10 }, async () => {
    while (next < run.invoiceIds.length) {
      const i = next++;
      // A request that never got an answer (a reused keep-alive socket the server had just closed, on a busy machine)
      // is sent again a few times even without `retryFor`: its Idempotency-Key makes that safe, as for any client.
      // A 503 `not-ready` says a dependency did not answer in time (on two loaded cores the dev server or Postgres can
      // be slow for a moment) and asks for a retry after Retry-After: a client honours that a few times too.
      for (let unanswered = 0, notReady = 0; ; ) {
        const res = await run.api('POST', '/v1/payments', {
          headers: { 'Idempotency-Key': `chaos-${run.invoiceIds[i]}` },
          body: { amount: '40.00', currency: 'AUD', reference: `Chaos ${i}`, invoices: [{ invoiceId: run.invoiceIds[i], amount: '40.00' }] },
        }).catch((err: Error) => ({ status: 0, body: `${err.message}${err.cause ? ` (${String((err.cause as Error).message ?? err.cause)})` : ''}` }));
        if (res.status === 202 || res.status === 200) {
          ids[i] = res.body.id;
          break;
        }
        if (res.status === 0 && ++unanswered <= 3) {
          await new Promise((r) => setTimeout(r, 250));
          continue;
        }
        if (res.status === 503 && (res.body as { type?: string })?.type === '/problems/not-ready' && ++notReady <= 10) {
          await new Promise((r) => setTimeout(r, 1_000));
          continue;
        }
        if (Date.now() > deadline || (res.status !== 503 && res.status !== 0)) throw new Error(`payment ${i}: ${res.status} ${JSON.stringify(res.body)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }));
  return ids;
}

/**
 * Waits until `count()` reaches `target`, failing only when it stops moving: a posting drain is paced by Xero's 60
 * calls a minute, so how long it takes depends on how many are left, while a stall (no new posting for `stallMs`,
 * longer than a dead worker's heartbeat timeout plus the retry backoff) is what a fault run must catch.
 */
export async function progressTo(what: string, count: () => number, target: number, opts: { stallMs?: number } = {}): Promise<{ longestPauseMs: number }> {
  const stallMs = opts.stallMs ?? 90_000;
  let last = count();
  let movedAt = Date.now();
  let longestPauseMs = 0;
  while (last < target) {
    await new Promise((r) => setTimeout(r, 20));
    const now = count();
    if (now > last) {
      longestPauseMs = Math.max(longestPauseMs, Date.now() - movedAt);
      [last, movedAt] = [now, Date.now()];
    } else if (Date.now() - movedAt > stallMs) throw new Error(`stalled: ${what}; ${last} of ${target} after ${stallMs / 1000} s without progress`);
  }
  return { longestPauseMs };
}

/** Waits for every payment workflow to complete, then checks the books: returns the workflows' results. */
export async function expectEachPostedOnce(world: QuoteWorld, run: UploadRun): Promise<PaymentState[]> {
  const states: PaymentState[] = [];
  for (let i = 0; i < run.paymentIds.length; i += 50) {
    states.push(...(await Promise.all(run.paymentIds.slice(i, i + 50).map((id) =>
      world.stack.client.workflow.getHandle(paymentWorkflowId(run.merchantId, id)).result() as Promise<PaymentState>))));
  }
  expect(states.filter((s) => s.sync?.status !== 'synced').map((s) => [s.paymentId, s.sync])).toEqual([]);
  const ledger = world.xero.ledger();
  const wrong = run.invoiceIds
    .map((invoiceId) => ({ invoiceId, cents: ledger.paymentsOf(invoiceId).filter((p) => p.status === 'AUTHORISED').map((p) => p.amountCents) }))
    .filter((x) => x.cents.length !== 1 || x.cents[0] !== 4_000);
  expect(wrong).toEqual([]);
  const rows = await world.stack.db.selectFrom('payments').select((eb) => eb.fn.countAll<string>().as('n')).where('merchant_id', '=', run.merchantId).executeTakeFirstOrThrow();
  expect(Number(rows.n)).toBe(run.paymentIds.length);
  return states;
}

/** Activity retries in the run's histories: attempts beyond the first, per activity type. */
export async function activityRetries(world: QuoteWorld, run: UploadRun): Promise<Record<string, number>> {
  const retries: Record<string, number> = {};
  for (const id of run.paymentIds) {
    const history = await world.stack.client.workflow.getHandle(paymentWorkflowId(run.merchantId, id)).fetchHistory();
    const types = new Map<string, string>();
    for (const e of history.events ?? []) {
      if (e.activityTaskScheduledEventAttributes) types.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType!.name!);
      const started = e.activityTaskStartedEventAttributes;
      if (started && (started.attempt ?? 1) > 1) {
        const type = types.get(String(started.scheduledEventId)) ?? 'unknown';
        retries[type] = (retries[type] ?? 0) + (started.attempt! - 1);
      }
    }
  }
  return retries;
}
