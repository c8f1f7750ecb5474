// The suite's proof that secrets and payers' personal data stay out of Postgres and out of the logs (issue 8):
// pure functions that look for leaks in text, used on every test database before it is dropped and on every log
// line the run wrote (test/support/leak-scan-db.ts, test/support/run-logs.ts, test/global-teardown.ts).
// test/unit/leak-scan.test.ts plants leaks to show each check can fail.

export interface Leak {
  /** What leaked: 'email address', 'merchant API key', 'payer name', … */
  kind: string;
  /** Where: `table.column (row id)` or `file:line`. */
  where: string;
  /** The value masked: a few leading characters and its length, never the value in full. */
  excerpt: string;
}

interface Pattern {
  kind: string;
  regex: RegExp;
}

// Token characters around a match: a pattern must match the whole token, not a piece of a longer one.
const B = '(?<![A-Za-z0-9_-])';
const E = '(?![A-Za-z0-9_-])';

export const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/**
 * Secrets recognisable by their shape: Settle's own key formats (db/merchants.ts, db/cpq-integrations.ts,
 * api/routes/integrations.ts; the admin and ops keys are the tests' `admin-`/`ops-` + 48 hex), the emulators'
 * OAuth tokens (emulators/support/oauth.ts) and Stripe's secrets. A merchant key's 10-character `key_prefix` is
 * stored on purpose (to tell keys apart) and is too short to match.
 */
export const SECRET_PATTERNS: Pattern[] = [
  { kind: 'merchant API key', regex: new RegExp(`${B}sk_[A-Za-z0-9_-]{43}${E}`, 'g') },
  { kind: 'CPQ API key', regex: new RegExp(`${B}cpq_[A-Za-z0-9_-]{43}${E}`, 'g') },
  { kind: 'admin API key', regex: new RegExp(`${B}admin-[0-9a-f]{48}${E}`, 'g') },
  { kind: 'ops token', regex: new RegExp(`${B}ops-[0-9a-f]{48}${E}`, 'g') },
  { kind: 'OAuth access token', regex: new RegExp(`${B}at_[0-9a-f]{32}${E}`, 'g') },
  { kind: 'OAuth refresh token', regex: new RegExp(`${B}rt_[0-9a-f]{32}${E}`, 'g') },
  { kind: 'Stripe secret key', regex: new RegExp(`${B}(?:sk|rk)_(?:test|live)_[A-Za-z0-9_]{8,}${E}`, 'g') },
  { kind: 'webhook signing secret', regex: new RegExp(`${B}whsec_[A-Za-z0-9_-]{16,}${E}`, 'g') },
];

/** Every password the tests type (test/integration/quotes/pay-now-pages.test.ts, test/unit/log-redaction.test.ts). */
export const TEST_PASSWORDS = ['correct horse battery staple', 'wrong password!!'];

/**
 * Names the test helpers and tests give payers and quote contacts (test/support/quotes.ts, the quote and Pay Now
 * tests). The names actually stored are added at run time too (opened from the sealed columns, see leak-scan-db.ts).
 */
export const TEST_PAYER_NAMES = ['Dana Payer', 'Ada Debit', 'Quinn Books', 'Pat Payer', 'Pat Again', 'Deb Itor', 'Card Only', 'Bo Bank', 'Cy Fail'];

/** What to look for besides the fixed patterns: values known to be secret or personal in this run. */
export interface Needles {
  /** Plaintexts of sealed secrets (OAuth tokens, checkout tokens, webhook secrets, …): must appear nowhere in clear. */
  secrets?: Iterable<string>;
  /** Payers' names. */
  names?: Iterable<string>;
  /** Passwords. */
  passwords?: Iterable<string>;
  /** Check for any email address (on by default). */
  emails?: boolean;
  /** Check the fixed secret patterns (on by default). */
  secretPatterns?: boolean;
}

/** `dana…[22 chars]`: enough to find the value again, never the value. */
export function mask(value: string): string {
  const shown = Math.min(4, Math.floor(value.length / 4));
  return `${value.slice(0, shown)}…[${value.length} chars]`;
}

/** Every leak in one piece of text (a column value, a log line). */
export function findLeaks(text: string, where: string, needles: Needles = {}): Leak[] {
  const leaks: Leak[] = [];
  const seen = new Set<string>();
  const add = (kind: string, value: string) => {
    if (seen.has(value)) return;
    seen.add(value);
    leaks.push({ kind, where, excerpt: mask(value) });
  };
  if (needles.secretPatterns !== false) {
    for (const { kind, regex } of SECRET_PATTERNS) for (const m of text.matchAll(regex)) add(kind, m[0]);
  }
  for (const secret of needles.secrets ?? []) if (secret && text.includes(secret)) add('sealed secret in clear', secret);
  for (const password of needles.passwords ?? TEST_PASSWORDS) if (password && text.includes(password)) add('password', password);
  if (needles.emails !== false) for (const m of text.matchAll(EMAIL)) add('email address', m[0]);
  for (const name of needles.names ?? []) if (name && containsWord(text, name)) add('payer name', name);
  return leaks;
}

/**
 * `name` in `text` as a word of its own, not inside a longer run of letters and digits: a short name ("Eve") is found
 * where it was written, not inside a random id that happens to spell it (evt_Twu0A9IEveLD8…, a failed CI run).
 */
function containsWord(text: string, name: string): boolean {
  for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + 1)) {
    if (!/[\p{L}\p{N}]/u.test(text[at - 1] ?? '') && !/[\p{L}\p{N}]/u.test(text[at + name.length] ?? '')) return true;
  }
  return false;
}

/** A place allowed to hold a kind of value in clear, with the reason. */
export interface Allowance {
  table: string;
  column: string;
  kind: string;
  why: string;
}

/**
 * Values Postgres may hold in clear. None today: merchant-facing emails (notification subscriptions, BPAY uploads'
 * remittance address, customers' billing emails) are sealed like payers' (emulator data holding emails lives in the
 * emulators' memory, never in Postgres). A new entry needs its reason.
 */
export const DB_ALLOWANCES: Allowance[] = [];

export interface ScannedTable {
  table: string;
  /** Columns to read, as text. */
  columns: string[];
  /** Column naming a row in reports (`id` when the table has one). */
  idColumn?: string;
  rows: Record<string, unknown>[];
}

/** Leaks in a table's rows (already read as text), except what DB_ALLOWANCES permits. */
export function scanTable(database: string, t: ScannedTable, needles: Needles = {}, allowances: Allowance[] = DB_ALLOWANCES): Leak[] {
  const leaks: Leak[] = [];
  for (const row of t.rows) {
    for (const column of t.columns) {
      const value = row[column];
      if (value === null || value === undefined) continue;
      const id = t.idColumn && row[t.idColumn] !== undefined ? ` (${t.idColumn} ${String(row[t.idColumn])})` : '';
      const found = findLeaks(String(value), `${database}: ${t.table}.${column}${id}`, needles);
      leaks.push(...found.filter((l) => !allowances.some((a) => a.table === t.table && a.column === column && a.kind === l.kind)));
    }
  }
  return leaks;
}

// pino's numeric levels: info is 30. Lines that are not JSON (a dev tool's console output) count as info.
const INFO = 30;

/** Console output (not a log line) that may show a kind of value, in the files of one entry point, with the reason. */
export interface ConsoleAllowance {
  file: RegExp;
  kind: string;
  why: string;
}

export const CONSOLE_ALLOWANCES: ConsoleAllowance[] = [
  {
    file: /^process-start-/,
    kind: 'email address',
    why: "`npm start` (dev/start.ts) prints, for the person at the terminal, a ready-made CPQ request whose body has a made-up sample contact; it is a usage example, not a log line",
  },
];

/**
 * Leaks in a log file's lines at info level or above (what the normal log level writes): email addresses, payer
 * names, passwords and secrets. Lines that are not JSON are an entry point's console output (banners, crash
 * messages): they are checked for emails, names and passwords, not for secret formats (the dev tools print the
 * sandbox key on purpose), and CONSOLE_ALLOWANCES apply to them.
 */
export function scanLogText(file: string, content: string, needles: Needles = {}, allowances: ConsoleAllowance[] = CONSOLE_ALLOWANCES): Leak[] {
  const leaks: Leak[] = [];
  content.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    let level = INFO;
    let json = false;
    try {
      const parsed = JSON.parse(line) as { level?: unknown };
      if (parsed && typeof parsed === 'object') {
        json = true;
        if (typeof parsed.level === 'number') level = parsed.level;
      }
    } catch {
      // console output
    }
    if (level < INFO) return;
    if (json) leaks.push(...findLeaks(line, `${file}:${index + 1}`, needles));
    else {
      const found = findLeaks(line, `${file}:${index + 1}`, { ...needles, secretPatterns: false, secrets: [] });
      leaks.push(...found.filter((l) => !allowances.some((a) => a.kind === l.kind && a.file.test(file))));
    }
  });
  return leaks;
}

/** The failure message: every leak, grouped, values masked. */
export function describeLeaks(leaks: Leak[], limit = 40): string {
  const lines = leaks.slice(0, limit).map((l) => `  ${l.kind} in ${l.where}: ${l.excerpt}`);
  if (leaks.length > limit) lines.push(`  … and ${leaks.length - limit} more`);
  return lines.join('\n');
}
