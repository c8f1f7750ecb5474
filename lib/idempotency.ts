// Idempotency keys for external writes: derived from the workflow and the logical operation, so every
// retry of an activity (and every replay of the workflow) sends the same key, and no write happens twice.
import { createHash } from 'node:crypto';

/** ≤ 50 characters of [A-Za-z0-9_-]: fits Xero's Idempotency-Key (128) and QuickBooks' requestid (50). */
export function idempotencyKey(workflowId: string, operation: string): string {
  return `sk_${createHash('sha256').update(workflowId).update('\0').update(operation).digest('base64url').slice(0, 43)}`;
}

/** A key for one part of a multi-call operation (one batch of payments, say). */
export function partKey(key: string, part: number): string {
  return idempotencyKey(key, `part-${part}`);
}
