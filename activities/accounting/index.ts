// Accounting activities: each runs on the task queue of the connection role that caused the work (the
// workflow picks the queue), uses that role's connection and rate budget, and carries an idempotency key
// derived from the workflow and the logical operation, so a retried activity never writes twice.
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { AccountingConnection } from '../../db/schema';
import { idempotencyKey, partKey } from '../../lib/idempotency';
import { roleOfTaskQueue } from '../../lib/task-queues';
import type { AccountingServices } from './services';
import { toActivityFailure } from './failures';
import { PLATFORM_LIMITS } from './limits';
import { ConnectionUnavailable } from './connections';
import type { CallKind } from './rate-budget';
import {
  PlatformAccessRevoked,
  PlatformUnauthorized,
  type AccountingPlatform,
  type Allocation,
  type ContactQuery,
  type InvoiceQuery,
  type NewContact,
  type NewCreditNote,
  type NewInvoice,
  type NewPayment,
  type NewPrepayment,
  type PaymentResult,
} from './platform';

/** Accounting activities heartbeat this often; their proxies set a heartbeat timeout of a few times it. */
export const HEARTBEAT_EVERY_MS = 2_000;

/** Builds the adapter for a connection (platforms.ts; tests may pass their own wiring). */
export type PlatformFactory = (connection: AccountingConnection, accessToken: () => Promise<string>) => AccountingPlatform;

interface OnMerchant {
  merchantId: string;
}
/** A write: `operation` names it within the workflow (e.g. "quote-credit-note"); the key derives from it. */
interface Write extends OnMerchant {
  operation: string;
}

/**
 * Runs `fn` on the connection of the queue's role; each call is metered against the rate budget. `fn` makes one
 * request; a batch request (QuickBooks' /batch) says so with `kind: 'batch'`, metered against the batch limit too.
 */
export type Call = <R>(fn: (p: AccountingPlatform) => Promise<R>, options?: CallOptions) => Promise<R>;
/** `first`: other work waits on this call, so it goes ahead of the calls queued for the connection in this process. */
export interface CallOptions {
  kind?: CallKind;
  first?: boolean;
}
/** A link into the platform's web app: built locally, so it costs no call and no budget. */
export type Link = AccountingPlatform['webLink'];
export type OnConnection = <T>(merchantId: string, run: (call: Call, connection: AccountingConnection, link: Link) => Promise<T>) => Promise<T>;

/**
 * What every accounting activity runs through: the connection of the role whose queue the activity runs on,
 * the rate budget, token refresh, and the translation of platform errors into retry decisions. Composite
 * activities (e.g. booking a quote payment) use it too.
 */
export function accountingRunner(services: AccountingServices, platformFor: PlatformFactory): { onConnection: OnConnection; keyOf: (operation: string) => string } {
  const { connections, budget } = services;
  const onConnection: OnConnection = async (merchantId, run) => {
    const info = Context.current().info;
    const role = roleOfTaskQueue(info.taskQueue);
    if (!role) {
      throw ApplicationFailure.nonRetryable(`accounting activities run on an accounting queue, not ${info.taskQueue}`, 'MisroutedActivity');
    }
    let connection: AccountingConnection | undefined;
    // Alive while it works (waiting for budget included): a worker that dies is noticed within the proxy's
    // heartbeat timeout, not its whole start-to-close timeout, and the retry runs elsewhere with the same keys.
    const context = Context.current();
    const alive = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      const current = (connection = await connections.resolve(merchantId, role));
      // After a refused token the row is re-read, so the retry below gets the refreshed token, not the cached one.
      let refused = false;
      const platform = platformFor(current, () => (refused ? connections.currentAccessToken(current.id) : connections.accessToken(current)));
      const limits = PLATFORM_LIMITS[current.platform];
      const once = async <R>(fn: (p: AccountingPlatform) => Promise<R>, options?: CallOptions): Promise<R> => {
        const lease = await budget.acquire(current, limits, options?.kind, { first: options?.first });
        try {
          return await fn(platform);
        } finally {
          await lease.release();
        }
      };
      // A dead grant stops here: the connection becomes reconnect_required (message and action for the merchant)
      // and no call goes to the platform on it again until the merchant consents again.
      const dead = async (): Promise<never> => {
        await connections.markReconnectRequired(current.id);
        throw new ConnectionUnavailable(merchantId, current.role, 'reconnect_required');
      };
      const call: Call = async (fn, options) => {
        try {
          return await once(fn, options);
        } catch (err) {
          if (err instanceof PlatformAccessRevoked) return dead();
          if (!(err instanceof PlatformUnauthorized)) throw err;
        }
        // Refused although it looked valid: refresh once and try again; refused with a fresh token, the grant is dead.
        await connections.markAccessTokenStale(current.id);
        refused = true;
        try {
          return await once(fn, options);
        } catch (err) {
          if (err instanceof PlatformUnauthorized) return dead();
          throw err;
        }
      };
      const result = await run(call, current, (kind, id) => platform.webLink(kind, id));
      await connections.touch(current.id);
      return result;
    } catch (err) {
      if (err instanceof PlatformUnauthorized && connection) await connections.markAccessTokenStale(connection.id);
      throw toActivityFailure(err);
    } finally {
      clearInterval(alive);
    }
  };

  const keyOf = (operation: string) => {
    const workflow = Context.current().info.workflowExecution;
    if (!workflow) throw ApplicationFailure.nonRetryable('accounting writes run inside a workflow (their key derives from it)');
    return idempotencyKey(workflow.workflowId, operation);
  };
  return { onConnection, keyOf };
}

export function createAccountingActivities(services: AccountingServices, platformFor: PlatformFactory) {
  const { onConnection, keyOf } = accountingRunner(services, platformFor);

  return {
    async findContacts(input: OnMerchant & { query: ContactQuery }) {
      return onConnection(input.merchantId, (call) => call((p) => p.findContacts(input.query)));
    },
    async createContact(input: Write & { contact: NewContact }) {
      return onConnection(input.merchantId, (call) => call((p) => p.createContact(input.contact, keyOf(input.operation))));
    },
    async listInvoices(input: OnMerchant & { query: InvoiceQuery }) {
      return onConnection(input.merchantId, (call) => call((p) => p.listInvoices(input.query)));
    },
    async getInvoice(input: OnMerchant & { invoiceId: string }) {
      return onConnection(input.merchantId, (call) => call((p) => p.getInvoice(input.invoiceId)));
    },
    async createInvoice(input: Write & { invoice: NewInvoice }) {
      return onConnection(input.merchantId, (call) => call((p) => p.createInvoice(input.invoice, keyOf(input.operation))));
    },
    /**
     * Sends as many payments per call as the platform takes, with as many calls at once as the connection
     * allows (the rate budget paces them); results line up with `payments`.
     */
    async postPayments(input: Write & { payments: NewPayment[] }): Promise<PaymentResult[]> {
      const key = keyOf(input.operation);
      return onConnection(input.merchantId, async (call, connection) => {
        const limits = PLATFORM_LIMITS[connection.platform];
        const chunks: NewPayment[][] = [];
        for (let i = 0; i < input.payments.length; i += limits.paymentsPerCall) chunks.push(input.payments.slice(i, i + limits.paymentsPerCall));
        const results: PaymentResult[][] = new Array(chunks.length);
        let next = 0;
        let done = 0;
        const lane = async () => {
          for (let index = next++; index < chunks.length; index = next++) {
            results[index] = await call((p) => p.createPayments(chunks[index], partKey(key, index)));
            Context.current().heartbeat(++done);
          }
        };
        await Promise.all(Array.from({ length: Math.min(limits.concurrent, chunks.length) }, lane));
        return results.flat();
      });
    },
    async createCreditNote(input: Write & { creditNote: NewCreditNote }) {
      return onConnection(input.merchantId, (call) => call((p) => p.createCreditNote(input.creditNote, keyOf(input.operation))));
    },
    async getCreditNote(input: OnMerchant & { creditNoteId: string }) {
      return onConnection(input.merchantId, (call) => call((p) => p.getCreditNote(input.creditNoteId)));
    },
    async approveCreditNote(input: Write & { creditNoteId: string }) {
      return onConnection(input.merchantId, (call) => call((p) => p.approveCreditNote(input.creditNoteId, keyOf(input.operation))));
    },
    async deleteCreditNote(input: OnMerchant & { creditNoteId: string }) {
      return onConnection(input.merchantId, (call) => call((p) => p.deleteCreditNote(input.creditNoteId)));
    },
    async voidCreditNote(input: Write & { creditNoteId: string }) {
      return onConnection(input.merchantId, (call) => call((p) => p.voidCreditNote(input.creditNoteId, keyOf(input.operation))));
    },
    async allocateCreditNote(input: Write & { creditNoteId: string; allocation: Allocation }) {
      return onConnection(input.merchantId, (call) =>
        call((p) => p.allocateCreditNote(input.creditNoteId, input.allocation, keyOf(input.operation))),
      );
    },
    async removeCreditNoteAllocations(input: OnMerchant & { creditNoteId: string }) {
      return onConnection(input.merchantId, (call) => call((p) => p.removeCreditNoteAllocations(input.creditNoteId)));
    },
    async createPrepayment(input: Write & { prepayment: NewPrepayment }) {
      return onConnection(input.merchantId, (call) => call((p) => p.createPrepayment(input.prepayment, keyOf(input.operation))));
    },
  };
}
