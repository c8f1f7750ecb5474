// Reminder rules: schedules, the steps still ahead, the instant a step is sent, and whether a step is sent at all.
import fc from 'fast-check';
import { dayIn, decideReminder, DEFAULT_REMINDER_OFFSETS, normaliseSchedule, reminderDate, reminderInstant, REMINDER_HOUR, REMINDER_LIMITS,
  scheduleProblem, stepsAhead, stepWords, type ReminderFacts } from '../../lib/reminders/rules';

const facts = (over: Partial<ReminderFacts> = {}): ReminderFacts => ({ status: 'authorised', amountDueMinor: 5_000, remindersEnabled: true, onAutopay: false, recipients: 1, optedOut: 0, ...over });

it('accepts the default schedule and says why others are refused', () => {
  expect(scheduleProblem(DEFAULT_REMINDER_OFFSETS)).toBeNull();
  expect(scheduleProblem([])).toMatch(/at least one/);
  expect(scheduleProblem([1, 1])).toMatch(/different/);
  expect(scheduleProblem([1.5])).toMatch(/whole/);
  expect(scheduleProblem([-61])).toMatch(/outside/);
  expect(scheduleProblem([366])).toMatch(/outside/);
  expect(scheduleProblem([1, 2, 3, 4, 5, 6, 7, 8, 9])).toMatch(/at most 8/);
  expect(normaliseSchedule([14, -3, 7, 0])).toEqual([-3, 0, 7, 14]);
});

it('sends the steps whose day is today or later, never a passed one', () => {
  expect(reminderDate('2026-12-10', -3)).toBe('2026-12-07');
  expect(reminderDate('2026-12-28', 7)).toBe('2027-01-04');
  expect(stepsAhead([-3, 0, 7, 14], '2026-12-10', '2026-12-07')).toEqual([-3, 0, 7, 14]);
  expect(stepsAhead([-3, 0, 7, 14], '2026-12-10', '2026-12-08')).toEqual([0, 7, 14]);
  expect(stepsAhead([14, 7, 0, -3], '2026-12-10', '2026-12-17')).toEqual([7, 14]);
  expect(stepsAhead([-3, 0, 7, 14], '2026-12-10', '2026-12-25')).toEqual([]);
});

it('sends at 9:00 in the merchant\'s time zone', () => {
  expect(new Date(reminderInstant('2026-12-07', 'UTC')).toISOString()).toBe('2026-12-07T09:00:00.000Z');
  // Sydney is UTC+11 in December (daylight saving), +10 in June.
  expect(new Date(reminderInstant('2026-12-07', 'Australia/Sydney')).toISOString()).toBe('2026-12-06T22:00:00.000Z');
  expect(new Date(reminderInstant('2026-06-07', 'Australia/Sydney')).toISOString()).toBe('2026-06-06T23:00:00.000Z');
  expect(new Date(reminderInstant('2026-03-08', 'America/New_York')).toISOString()).toBe('2026-03-08T13:00:00.000Z');
});

it('a step\'s instant is on its day at the reminder hour, in every zone (property)', () => {
  const zones = ['UTC', 'Australia/Sydney', 'Australia/Perth', 'Pacific/Auckland', 'America/New_York', 'America/Los_Angeles', 'Europe/London', 'Asia/Kolkata'];
  fc.assert(fc.property(fc.integer({ min: 0, max: 3_000 }), fc.constantFrom(...zones), (dayNumber, zone) => {
    const date = new Date(Date.UTC(2025, 0, 1) + dayNumber * 86_400_000).toISOString().slice(0, 10);
    const at = reminderInstant(date, zone);
    expect(dayIn(zone, at)).toBe(date);
    const hour = Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(new Date(at)));
    expect(hour).toBe(REMINDER_HOUR);
  }), { numRuns: 300 });
});

it('steps ahead are in order, within the schedule, and none is before today (property)', () => {
  const offsets = fc.uniqueArray(fc.integer({ min: REMINDER_LIMITS.minOffset, max: REMINDER_LIMITS.maxOffset }), { minLength: 1, maxLength: REMINDER_LIMITS.maxSteps });
  const day = fc.integer({ min: 0, max: 2_000 }).map((n) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
  fc.assert(fc.property(offsets, day, day, (o, due, today) => {
    expect(scheduleProblem(o)).toBeNull();
    const ahead = stepsAhead(o, due, today);
    expect(ahead).toEqual([...ahead].sort((a, b) => a - b));
    for (const step of ahead) expect(reminderDate(due, step) >= today).toBe(true);
    // Every step left out has passed: the ones ahead and the passed ones are the whole schedule.
    const passed = o.filter((s) => reminderDate(due, s) < today);
    expect(ahead.length + passed.length).toBe(o.length);
  }));
});

it('sends only to an owed, authorised invoice, not on autopay, with a payer who has not opted out', () => {
  expect(decideReminder(facts())).toEqual({ send: true });
  expect(decideReminder(facts({ amountDueMinor: 0 }))).toMatchObject({ send: false, stop: true, reason: 'paid' });
  expect(decideReminder(facts({ status: 'paid', amountDueMinor: 0 }))).toMatchObject({ reason: 'paid' });
  expect(decideReminder(facts({ status: 'voided' }))).toMatchObject({ stop: true, reason: 'not-payable' });
  expect(decideReminder(facts({ remindersEnabled: false }))).toMatchObject({ stop: true, reason: 'disabled' });
  expect(decideReminder(facts({ onAutopay: true }))).toMatchObject({ stop: true, reason: 'autopay' });
  expect(decideReminder(facts({ recipients: 0, optedOut: 1 }))).toMatchObject({ stop: true, reason: 'opted-out' });
  // Nobody to send to yet (no payer linked to the contact): this step only; a payer linked later gets the next.
  expect(decideReminder(facts({ recipients: 0 }))).toMatchObject({ stop: false, reason: 'no-payer' });
});

it('never sends for a paid, voided, autopay or disabled invoice, nor with nobody to send to (property)', () => {
  const anyFacts = fc.record({ status: fc.constantFrom('authorised', 'paid', 'voided', 'draft', 'deleted'), amountDueMinor: fc.integer({ min: -100, max: 1_000_000 }),
    remindersEnabled: fc.boolean(), onAutopay: fc.boolean(), recipients: fc.nat(3), optedOut: fc.nat(3) });
  fc.assert(fc.property(anyFacts, (f) => {
    const d = decideReminder(f);
    const owed = f.status === 'authorised' && f.amountDueMinor > 0;
    expect(d.send).toBe(owed && f.remindersEnabled && !f.onAutopay && f.recipients > 0);
    if (!d.send && !owed) expect(d.stop).toBe(true);
  }));
});

it('names a step in words', () => {
  expect(stepWords(-3)).toBe('3 days before the due date');
  expect(stepWords(0)).toBe('on the due date');
  expect(stepWords(1)).toBe('1 day after the due date');
});
