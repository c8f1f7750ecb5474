// Cutting a batch into calls: groups keep order and size, planned chunks cover every invoice once, and a company's
// contact is the one found by its account number before any found by its name.
import fc from 'fast-check';
import { CHUNK_INVOICES, inGroups, matchContacts, planChunks } from '../../lib/invoice-sync/chunks';
import { PLATFORM_LIMITS } from '../../activities/accounting/limits';

it('groups items in order, every group full but the last', () => {
  fc.assert(fc.property(fc.array(fc.integer()), fc.integer({ min: 1, max: 60 }), (items, size) => {
    const groups = inGroups(items, size);
    expect(groups.flat()).toEqual(items);
    expect(groups.slice(0, -1).every((g) => g.length === size)).toBe(true);
    expect(groups.every((g) => g.length >= 1 && g.length <= size)).toBe(true);
    expect(groups).toHaveLength(Math.ceil(items.length / size));
  }));
  expect(() => inGroups([1], 0)).toThrow(RangeError);
});

it('plans chunks that cover every pending invoice exactly once', () => {
  const ascendingIds = fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 2_000 }).map((ids) => ids.sort((a, b) => a - b));
  fc.assert(fc.property(ascendingIds, fc.integer({ min: 1, max: 400 }), (ids, size) => {
    const chunks = planChunks(ids, size);
    const inChunk = ids.map((id) => chunks.filter((c) => c.firstId <= id && id <= c.lastId).length);
    expect(inChunk.every((n) => n === 1)).toBe(true);
    expect(chunks.every((c) => ids.filter((id) => c.firstId <= id && id <= c.lastId).length <= size)).toBe(true);
  }));
});

it("chunks split into full calls on every platform", () => {
  for (const limits of Object.values(PLATFORM_LIMITS)) expect(CHUNK_INVOICES % limits.invoicesPerCall).toBe(0);
});

it('matches by account number first, then by name, case-insensitively, and leaves out the unmatched', () => {
  const companies = [{ id: 1, identifier: 'ACME', name: 'Acme Pty Ltd' }, { id: 2, identifier: 'GLOBEX', name: 'Globex' }, { id: 3, identifier: 'INITECH', name: 'Initech' }];
  const byNumber = [{ id: 'c-acme', name: 'ACME (old name)', accountNumber: 'acme' }];
  const byName = [{ id: 'c-acme-by-name', name: 'Acme Pty Ltd' }, { id: 'c-globex', name: 'GLOBEX' }];
  const matched = matchContacts(companies, byNumber, byName);
  expect([...matched].map(([company, c]) => [company, c.id])).toEqual([[1, 'c-acme'], [2, 'c-globex']]);
});

it('matches each company to a contact carrying its number or its name', () => {
  const company = fc.record({ id: fc.nat(), identifier: fc.string({ minLength: 1, maxLength: 6 }), name: fc.string({ minLength: 1, maxLength: 6 }) });
  const contact = fc.record({ id: fc.uuid(), name: fc.string({ maxLength: 6 }), accountNumber: fc.option(fc.string({ maxLength: 6 }), { nil: undefined }) });
  fc.assert(fc.property(fc.uniqueArray(company, { selector: (c) => c.id, maxLength: 20 }), fc.array(contact, { maxLength: 20 }), fc.array(contact, { maxLength: 20 }), (companies, byNumber, byName) => {
    const matched = matchContacts(companies, byNumber, byName);
    for (const c of companies) {
      const found = matched.get(c.id);
      const anyByNumber = byNumber.some((x) => x.accountNumber?.toLowerCase() === c.identifier.toLowerCase());
      const anyByName = byName.some((x) => x.name.toLowerCase() === c.name.toLowerCase());
      if (!anyByNumber && !anyByName) expect(found).toBeUndefined();
      else if (anyByNumber) expect(found!.accountNumber?.toLowerCase()).toBe(c.identifier.toLowerCase());
      else expect(found!.name.toLowerCase()).toBe(c.name.toLowerCase());
    }
  }));
});
