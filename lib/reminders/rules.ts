// Reminder rules (issue 27): a merchant's schedule of reminder emails is a list of steps in days relative to an
// invoice's due date (-3: three days before, 0: on the day, 7: a week after). Pure, so the API (validating a
// schedule), the daily run (which invoices still have a step ahead) and each invoice's reminder workflow (when each
// step is sent, and whether it is sent at all, decided right before the send) apply one rule.

/** The schedule a merchant starts with: 3 days before, on the day, 7 and 14 days after the due date. */
export const DEFAULT_REMINDER_OFFSETS: readonly number[] = [-3, 0, 7, 14];

/** Bounds of a schedule: a step at most 60 days before or 365 after the due date, at most 8 steps. */
export const REMINDER_LIMITS = { minOffset: -60, maxOffset: 365, maxSteps: 8 } as const;

/** Reminders go out at this hour of the merchant's day (its time zone): during the payer's business hours. */
export const REMINDER_HOUR = 9;

const DAY_MS = 86_400_000;

/** Why a schedule cannot be saved, or null when it can; the API answers 422 with these words. */
export function scheduleProblem(offsets: readonly number[]): string | null {
  if (offsets.length === 0) return 'a schedule needs at least one step (turn reminders off instead)';
  if (offsets.length > REMINDER_LIMITS.maxSteps) return `a schedule has at most ${REMINDER_LIMITS.maxSteps} steps`;
  for (const o of offsets) {
    if (!Number.isInteger(o)) return `${o} is not a whole number of days`;
    if (o < REMINDER_LIMITS.minOffset || o > REMINDER_LIMITS.maxOffset) return `${o} is outside ${REMINDER_LIMITS.minOffset}..${REMINDER_LIMITS.maxOffset} days of the due date`;
  }
  if (new Set(offsets).size !== offsets.length) return 'each step must be a different day';
  return null;
}

/** The schedule as stored and run: steps in time order (a merchant may list them in any order). */
export function normaliseSchedule(offsets: readonly number[]): number[] {
  return [...offsets].sort((a, b) => a - b);
}

export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The day a step is sent for an invoice due on `dueDate` (YYYY-MM-DD, the merchant's calendar). */
export function reminderDate(dueDate: string, offset: number): string {
  return addDays(dueDate, offset);
}

/**
 * The steps still to send for an invoice, as of `today` (the merchant's calendar): those whose day is today or
 * later. A step whose day has passed before the invoice was first seen is not sent late (the next one says more).
 */
export function stepsAhead(offsets: readonly number[], dueDate: string, today: string): number[] {
  return normaliseSchedule(offsets).filter((o) => reminderDate(dueDate, o) >= today);
}

/** Today (YYYY-MM-DD) in a time zone, at the instant `nowMs`. */
export function dayIn(timezone: string, nowMs: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(nowMs));
}

/** How far the time zone's wall clock is ahead of UTC at the instant `atMs`, in ms (negative: behind). */
function zoneOffsetMs(timezone: string, atMs: number): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(atMs)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(atMs / 1000) * 1000;
}

/** The instant (epoch ms) a step's day reaches REMINDER_HOUR in the merchant's time zone. */
export function reminderInstant(date: string, timezone: string, hour = REMINDER_HOUR): number {
  const wall = Date.parse(`${date}T00:00:00Z`) + hour * 3_600_000;
  // Two passes: the offset at the first guess may differ from the offset at the answer across a DST change.
  let guess = wall - zoneOffsetMs(timezone, wall);
  guess = wall - zoneOffsetMs(timezone, guess);
  return guess;
}

/** The invoice as read from the books right before a send, and the payer's side of it. */
export interface ReminderFacts {
  /** The invoice's status in the books (authorised, paid, voided, draft, …). */
  status: string;
  amountDueMinor: number;
  /** The merchant turned reminders off since the workflow started. */
  remindersEnabled: boolean;
  /** Active billing terms pay this invoice's contact automatically. */
  onAutopay: boolean;
  /** Payers linked to the invoice's contact who have not opted out. */
  recipients: number;
  /** Linked payers who opted out. */
  optedOut: number;
}

export type ReminderDecision =
  | { send: true }
  /** stop: no later step will be sent either (the workflow ends); skip: this step only. */
  | { send: false; stop: boolean; reason: 'paid' | 'not-payable' | 'disabled' | 'autopay' | 'opted-out' | 'no-payer' };

/** Whether to send a step now. Paid, voided and autopay invoices end the reminders; a payer-less one skips a step. */
export function decideReminder(f: ReminderFacts): ReminderDecision {
  if (f.amountDueMinor <= 0 || f.status === 'paid') return { send: false, stop: true, reason: 'paid' };
  if (f.status !== 'authorised') return { send: false, stop: true, reason: 'not-payable' };
  if (!f.remindersEnabled) return { send: false, stop: true, reason: 'disabled' };
  if (f.onAutopay) return { send: false, stop: true, reason: 'autopay' };
  if (f.recipients === 0) return f.optedOut > 0 ? { send: false, stop: true, reason: 'opted-out' } : { send: false, stop: false, reason: 'no-payer' };
  return { send: true };
}

/** The outbox key of a step's email to one payer: a retried send, a second run or a restarted worker writes it once. */
export function reminderEmailKey(merchantId: string, invoiceId: string, offset: number, payerId: string): string {
  return `reminder:${merchantId}:${invoiceId}:${offset}:${payerId}`;
}

/** "3 days before", "on the due date", "7 days after": for the email and the console. */
export function stepWords(offset: number): string {
  if (offset === 0) return 'on the due date';
  const n = Math.abs(offset);
  return `${n} day${n === 1 ? '' : 's'} ${offset < 0 ? 'before' : 'after'} the due date`;
}
