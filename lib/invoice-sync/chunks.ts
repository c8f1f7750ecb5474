// How a batch's invoices and customers are cut into pieces that each fit one API call, and how a customer is matched
// to the contacts bulk lookups found. Pure: the activities (activities/invoice-sync) do the calls.

/** `items` in consecutive groups of at most `size`; only the last may be smaller. */
export function inGroups<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`group size must be a positive integer, not ${size}`);
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  return groups;
}

/**
 * Invoices per planned chunk (one activity): a multiple of every platform's invoices per call (Xero 50, QuickBooks
 * 30), so a chunk splits into full calls, and enough calls (6 or 10) to keep a connection's concurrent slots busy.
 */
export const CHUNK_INVOICES = 300;

/** Manage invoice ids, first and last inclusive. */
export interface InvoiceChunk {
  firstId: number;
  lastId: number;
}

/** Consecutive ranges of `size` ids each over ascending `ids`: no id in two ranges, every id in one. */
export function planChunks(ids: readonly number[], size = CHUNK_INVOICES): InvoiceChunk[] {
  return inGroups(ids, size).map((g) => ({ firstId: g[0], lastId: g[g.length - 1] }));
}

export interface CompanyToMatch {
  id: number;
  /** Manage's company identifier: the contact's account number. */
  identifier: string;
  name: string;
}

interface ContactLike {
  id: string;
  name: string;
  accountNumber?: string;
}

const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * The contact of each company among those found: by account number first, else by name (both exact,
 * case-insensitive; the first found wins, as a lookup of one customer took the first). Companies with neither are
 * left out.
 */
export function matchContacts<C extends ContactLike>(companies: readonly CompanyToMatch[], byNumber: readonly C[], byName: readonly C[]): Map<number, C> {
  const matched = new Map<number, C>();
  for (const company of companies) {
    const found = byNumber.find((c) => same(c.accountNumber, company.identifier)) ?? byName.find((c) => same(c.name, company.name));
    if (found) matched.set(company.id, found);
  }
  return matched;
}
