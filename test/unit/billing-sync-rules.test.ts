// Billing sync rules: link suggestions (remembered first while they exist, else a unique name match, keyed per customer
// and product), mismatch detection (each kind), proposal versions, and (property) that applying a proposal leaves
// nothing to change.
import fc from 'fast-check';
import type { BillingLine } from '../../lib/billing-sync/lines';
import { agreementNameFor, identifierFor, linkKey, suggestLinks, type ManageDirectory, type RememberedLinks } from '../../lib/billing-sync/mapping';
import { findMismatches, isBilledIn, proposalVersion, type AdditionSnapshot, type Change, type LinkedLine } from '../../lib/billing-sync/validation';

const line = (lineNo: number, over: Partial<BillingLine> = {}): BillingLine => ({
  lineNo, customer: 'Contoso Ltd', contractId: `SUB-${lineNo}`, product: 'M365 Business Basic', billingPeriod: 'Monthly', commitmentPeriod: 'monthly',
  units: 10, costMinor: 600, effectiveDate: '2026-11-01', ...over,
});
const none: RememberedLinks = { company: new Map(), agreement: new Map(), product: new Map() };
const directory: ManageDirectory = {
  companies: [{ id: 1, identifier: 'Contoso', name: 'Contoso, Ltd.' }, { id: 2, identifier: 'Fabrikam', name: 'Fabrikam' }, { id: 3, identifier: 'Fab2', name: 'FABRIKAM' }],
  agreements: [{ id: 10, name: 'Managed services', companyId: 1 }, { id: 11, name: agreementNameFor('Contoso Ltd'), companyId: 1 }, { id: 20, name: 'Only one', companyId: 2 }],
  products: [{ id: 100, identifier: 'M365-BB', description: 'M365 Business Basic' }, { id: 101, identifier: 'Azure', description: 'Azure plan' }],
};

describe('suggestLinks', () => {
  it('suggests a unique name match for company, agreement and product, and nothing when ambiguous', () => {
    const links = suggestLinks([line(1), line(2, { customer: 'fabrikam', product: 'Unknown thing' })], none, directory);
    expect(links.get(1)).toEqual({ company: { id: 1, source: 'suggested' }, agreement: { id: 11, source: 'suggested' }, product: { id: 100, source: 'suggested' } });
    expect(links.get(2)).toEqual({}); // two companies are called Fabrikam; no product of that name
  });

  it('prefers what was remembered while it still exists, and the agreement only if it is the company\'s', () => {
    const remembered: RememberedLinks = {
      company: new Map([[linkKey('Contoso Ltd'), 2], [linkKey('Gone Pty'), 999]]),
      agreement: new Map([[linkKey('Contoso Ltd'), 20]]),
      product: new Map([[linkKey('M365 Business Basic'), 101]]),
    };
    const links = suggestLinks([line(1), line(2, { customer: 'Gone Pty' })], remembered, directory);
    expect(links.get(1)).toEqual({ company: { id: 2, source: 'remembered' }, agreement: { id: 20, source: 'remembered' }, product: { id: 101, source: 'remembered' } });
    expect(links.get(2)?.company).toBeUndefined(); // company 999 was deleted in Manage
  });

  it('gives every line of one customer (however spelt) the same links', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('Contoso Ltd', 'CONTOSO LTD', 'contoso  ltd.', 'Fabrikam', 'Other'), { minLength: 1, maxLength: 30 }), (customers) => {
      const lines = customers.map((customer, i) => line(i + 1, { customer }));
      const links = suggestLinks(lines, none, directory);
      for (const a of lines) for (const b of lines) {
        if (linkKey(a.customer) === linkKey(b.customer)) expect(links.get(a.lineNo)).toEqual(links.get(b.lineNo));
      }
    }));
  });

  it('derives identifiers that fit Manage and keep similar names apart', () => {
    expect(identifierFor('Contoso Ltd').length).toBeLessThanOrEqual(25);
    expect(identifierFor('Contoso Ltd')).toBe(identifierFor('CONTOSO LTD.'));
    expect(identifierFor('A very long customer name number one')).not.toBe(identifierFor('A very long customer name number two'));
  });
});

const addition = (id: number, over: Partial<AdditionSnapshot> = {}): AdditionSnapshot => ({
  id, agreementId: 11, productId: 100, quantity: 10, unitCostMinor: 600, effectiveDate: '2026-11-01', cancelledDate: null, contractId: `SUB-${id}`, ...over,
});
const linked = (l: BillingLine): LinkedLine => ({ ...l, agreementId: 11, productId: 100 });

describe('findMismatches', () => {
  it('finds nothing when Manage already bills the month', () => {
    expect(findMismatches('2026-11', [linked(line(1))], [addition(1)])).toEqual([]);
  });

  it('finds each kind of mismatch, with the change that fixes it', () => {
    const lines = [linked(line(1, { units: 12 })), linked(line(2, { effectiveDate: '2026-11-15' })), linked(line(3))];
    const additions = [addition(1), addition(2), addition(4), addition(5, { productId: 555, contractId: null }), addition(6, { cancelledDate: '2026-10-01' })];
    const changes = findMismatches('2026-11', lines, additions);
    expect(changes.map((c) => [c.changeId, c.mismatch])).toEqual([
      ['qty:1', 'quantity-differs'], ['date:2', 'effective-date-differs'], ['add:11:SUB-3', 'addition-missing'], ['cancel:4', 'addition-no-longer-billed'],
    ]);
    expect(changes[0].change).toMatchObject({ kind: 'update-quantity', from: 10, to: 12 });
    expect(changes[2].change).toMatchObject({ kind: 'create-addition', agreementId: 11, productId: 100, contractId: 'SUB-3', quantity: 10, unitCostMinor: 600 });
    expect(changes[3].change).toMatchObject({ kind: 'cancel-addition', additionId: 4, cancelledDate: '2026-11-01' });
  });

  it('matches an addition set up by hand (no Contract ID) by its product, and leaves other products alone', () => {
    const changes = findMismatches('2026-11', [linked(line(1, { units: 3 }))], [addition(7, { contractId: null }), addition(8, { productId: 555, contractId: null })]);
    expect(changes).toEqual([{ changeId: 'qty:7', mismatch: 'quantity-differs', lineNo: 1, change: expect.objectContaining({ additionId: 7, from: 10, to: 3, contractId: 'SUB-1' }) }]);
  });

  it('finds the additions of a customer who left the BSS altogether (a remembered agreement with no line)', () => {
    const changes = findMismatches('2026-11', [], [addition(9, { agreementId: 30 })], { agreementIds: [30], productIds: [100] });
    expect(changes.map((c) => c.changeId)).toEqual(['cancel:9']);
  });

  it('versions proposals by content only', () => {
    const a = findMismatches('2026-11', [linked(line(1, { units: 12 })), linked(line(3))], [addition(1)]);
    expect(proposalVersion(a)).toBe(proposalVersion([...a].reverse()));
    expect(proposalVersion(a)).not.toBe(proposalVersion(findMismatches('2026-11', [linked(line(1, { units: 13 })), linked(line(3))], [addition(1)])));
  });

  /** What Manage looks like after the changes are applied: the model the property below checks against. */
  function applyToModel(additions: AdditionSnapshot[], changes: Change[]): AdditionSnapshot[] {
    const next = additions.map((a) => ({ ...a }));
    let id = 10_000;
    for (const c of changes) {
      if (c.kind === 'create-addition') next.push({ id: id++, agreementId: c.agreementId, productId: c.productId, quantity: c.quantity, unitCostMinor: c.unitCostMinor,
        effectiveDate: c.effectiveDate, cancelledDate: null, contractId: c.contractId });
      else {
        const a = next.find((x) => x.id === c.additionId)!;
        if (c.kind === 'update-quantity') Object.assign(a, { quantity: c.to, contractId: c.contractId });
        if (c.kind === 'update-effective-date') Object.assign(a, { effectiveDate: c.to, contractId: c.contractId });
        if (c.kind === 'cancel-addition') a.cancelledDate = c.cancelledDate;
      }
    }
    return next;
  }

  it('leaves nothing to change once its proposal is applied, whatever Manage held', () => {
    const agreement = fc.constantFrom(11, 12);
    const product = fc.constantFrom(100, 101, 102);
    const date = fc.constantFrom('2026-09-01', '2026-11-01', '2026-11-20');
    const arbLines = fc.uniqueArray(fc.record({ contract: fc.integer({ min: 1, max: 15 }), agreementId: agreement, productId: product, units: fc.integer({ min: 0, max: 5 }), effectiveDate: date }),
      { selector: (l) => l.contract, maxLength: 12 });
    const arbAdditions = fc.array(fc.record({ contract: fc.option(fc.integer({ min: 1, max: 15 })), agreementId: agreement, productId: product, quantity: fc.integer({ min: 0, max: 5 }),
      effectiveDate: date, cancelledDate: fc.option(fc.constantFrom('2026-10-01', '2026-11-01', '2026-12-01')) }), { maxLength: 12 });
    fc.assert(fc.property(arbLines, arbAdditions, (drawnLines, drawnAdditions) => {
      const lines = drawnLines.map((l, i) => ({ ...line(i + 1, { contractId: `SUB-${l.contract}`, units: l.units, effectiveDate: l.effectiveDate }), agreementId: l.agreementId, productId: l.productId }));
      const additions = drawnAdditions.map((a, i) => addition(i + 1, { agreementId: a.agreementId, productId: a.productId, quantity: a.quantity, effectiveDate: a.effectiveDate,
        cancelledDate: a.cancelledDate, contractId: a.contract === null ? null : `SUB-${a.contract}` }));
      const changes = findMismatches('2026-11', lines, additions);
      expect(new Set(changes.map((c) => c.changeId)).size).toBe(changes.length);
      const after = applyToModel(additions, changes.map((c) => c.change));
      expect(findMismatches('2026-11', lines, after)).toEqual([]);
      // Every line is billed by exactly one addition afterwards.
      for (const l of lines) expect(after.filter((a) => isBilledIn(a, '2026-11') && a.agreementId === l.agreementId && a.contractId === l.contractId).length).toBeLessThanOrEqual(1);
    }), { numRuns: 300 });
  });
});
