// What workflows and the processes that wake them share about waiting for an accounting connection. Imported by
// workflow code: no Node APIs here.

/** Sent to a waiting workflow when its merchant's books are (re)connected. */
export const ACCOUNTING_RECONNECTED_SIGNAL = 'accountingReconnected';

/** The failure type accounting activities fail with while a connection is unavailable (activities/accounting/failures.ts). */
export const CONNECTION_UNAVAILABLE = 'ConnectionUnavailable';
