// Which invoices of a batch can be posted now: those whose Manage company has an accounting contact. A company with
// none (and no permission to create one) holds only its own invoices; the rest of the batch is posted. A batch is
// exported to Manage only once every invoice in it is in the books.

export interface CompanyScoped {
  companyId: number;
}

export function partitionByContact<T extends CompanyScoped>(records: readonly T[], contacts: ReadonlyMap<number, string>): {
  ready: Array<T & { contactId: string }>;
  held: T[];
} {
  const ready: Array<T & { contactId: string }> = [];
  const held: T[] = [];
  for (const r of records) {
    const contactId = contacts.get(r.companyId);
    if (contactId) ready.push({ ...r, contactId });
    else held.push(r);
  }
  return { ready, held };
}

export type RecordStatus = 'pending' | 'posted' | 'failed' | 'held';

/** A batch is exported once it has invoices and every one of them is posted. */
export function batchExportable(statuses: readonly RecordStatus[]): boolean {
  return statuses.length > 0 && statuses.every((s) => s === 'posted');
}
