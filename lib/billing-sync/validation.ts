// Validation: the month's BSS lines (each linked to an agreement and product) against the agreement additions in
// Manage, as a list of mismatches, each with the change that fixes it. Nothing is written until the merchant approves
// the list (the proposal), which is identified by a hash of its changes so an approval of an older list is refused.
// Pure.
import { createHash } from 'node:crypto';
import { monthBounds, type BillingLine } from './lines';

export const MISMATCH_KINDS = ['addition-missing', 'quantity-differs', 'effective-date-differs', 'addition-no-longer-billed'] as const;
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

/** An agreement addition as validation sees it (the Manage client maps the wire shape to this). */
export interface AdditionSnapshot {
  id: number;
  agreementId: number;
  productId: number;
  quantity: number;
  unitCostMinor: number;
  /** YYYY-MM-DD */
  effectiveDate: string;
  /** YYYY-MM-DD, or null while it is billed. */
  cancelledDate: string | null;
  /** The BSS Contract ID the addition carries (Manage's serial number field), when Settle created or matched it. */
  contractId: string | null;
}

export interface LinkedLine extends BillingLine {
  agreementId: number;
  productId: number;
}

export type Change =
  | { kind: 'create-addition'; agreementId: number; productId: number; contractId: string; quantity: number; unitCostMinor: number; effectiveDate: string; description: string }
  | { kind: 'update-quantity'; agreementId: number; additionId: number; contractId: string; from: number; to: number }
  | { kind: 'update-effective-date'; agreementId: number; additionId: number; contractId: string; from: string; to: string }
  | { kind: 'cancel-addition'; agreementId: number; additionId: number; contractId: string | null; cancelledDate: string };

export interface ProposedChange {
  /** Stable for the same mismatch: what the change is recorded under once applied. */
  changeId: string;
  mismatch: MismatchKind;
  /** The BSS line it comes from (none for an addition no longer billed). */
  lineNo: number | null;
  change: Change;
}

/** Still billed in the month: not cancelled, or cancelled only after the month began. */
export function isBilledIn(addition: AdditionSnapshot, month: string): boolean {
  return addition.cancelledDate === null || addition.cancelledDate > monthBounds(month).first;
}

/**
 * The mismatches between the lines and the additions of their agreements. A line is matched to the addition carrying
 * its Contract ID, else (an addition set up by hand before Settle) to an unmatched addition of the same product on its
 * agreement. An addition of one of the run's products that no line matches is no longer billed; additions of other
 * products (managed services sold in Manage) are none of the BSS's business and are left alone. `synced` widens what
 * the BSS feeds beyond this month's lines (the merchant's remembered agreements and products): a customer who left the
 * BSS altogether has no line, yet its additions are no longer billed.
 */
export function findMismatches(month: string, lines: readonly LinkedLine[], additions: readonly AdditionSnapshot[],
  synced: { agreementIds?: Iterable<number>; productIds?: Iterable<number> } = {}): ProposedChange[] {
  const billed = additions.filter((a) => isBilledIn(a, month)).sort((a, b) => a.id - b.id);
  const byContract = new Map<string, AdditionSnapshot>();
  for (const a of billed) if (a.contractId !== null && !byContract.has(`${a.agreementId}\0${a.contractId}`)) byContract.set(`${a.agreementId}\0${a.contractId}`, a);
  const used = new Set<number>();
  const changes: ProposedChange[] = [];
  const ordered = [...lines].sort((a, b) => a.lineNo - b.lineNo);

  const matches = new Map<number, AdditionSnapshot>();
  for (const line of ordered) {
    const marked = byContract.get(`${line.agreementId}\0${line.contractId}`);
    if (marked) {
      matches.set(line.lineNo, marked);
      used.add(marked.id);
    }
  }
  for (const line of ordered) {
    if (matches.has(line.lineNo)) continue;
    const unmarked = billed.find((a) => !used.has(a.id) && a.contractId === null && a.agreementId === line.agreementId && a.productId === line.productId);
    if (unmarked) {
      matches.set(line.lineNo, unmarked);
      used.add(unmarked.id);
    }
  }

  for (const line of ordered) {
    const addition = matches.get(line.lineNo);
    const { agreementId, contractId } = line;
    if (!addition) {
      changes.push({ changeId: `add:${agreementId}:${contractId}`, mismatch: 'addition-missing', lineNo: line.lineNo, change: {
        kind: 'create-addition', agreementId, productId: line.productId, contractId, quantity: line.units, unitCostMinor: line.costMinor,
        effectiveDate: line.effectiveDate, description: `${line.product} (${line.billingPeriod}, ${line.commitmentPeriod})` } });
      continue;
    }
    if (addition.quantity !== line.units) {
      changes.push({ changeId: `qty:${addition.id}`, mismatch: 'quantity-differs', lineNo: line.lineNo, change: {
        kind: 'update-quantity', agreementId, additionId: addition.id, contractId, from: addition.quantity, to: line.units } });
    }
    if (addition.effectiveDate !== line.effectiveDate) {
      changes.push({ changeId: `date:${addition.id}`, mismatch: 'effective-date-differs', lineNo: line.lineNo, change: {
        kind: 'update-effective-date', agreementId, additionId: addition.id, contractId, from: addition.effectiveDate, to: line.effectiveDate } });
    }
  }

  const agreements = new Set([...lines.map((l) => l.agreementId), ...(synced.agreementIds ?? [])]);
  const products = new Set([...lines.map((l) => l.productId), ...(synced.productIds ?? [])]);
  for (const addition of billed) {
    if (used.has(addition.id) || !agreements.has(addition.agreementId)) continue;
    if (addition.contractId === null && !products.has(addition.productId)) continue;
    changes.push({ changeId: `cancel:${addition.id}`, mismatch: 'addition-no-longer-billed', lineNo: null, change: {
      kind: 'cancel-addition', agreementId: addition.agreementId, additionId: addition.id, contractId: addition.contractId, cancelledDate: monthBounds(month).first } });
  }
  return changes;
}

/** Identifies a proposal: the same changes give the same version, any difference another. */
export function proposalVersion(changes: readonly ProposedChange[]): string {
  const hash = createHash('sha256');
  for (const c of [...changes].sort((a, b) => (a.changeId < b.changeId ? -1 : a.changeId > b.changeId ? 1 : 0))) hash.update(JSON.stringify(c)).update('\n');
  return `v_${hash.digest('hex').slice(0, 16)}`;
}

export function countByKind(changes: ReadonlyArray<{ mismatch: MismatchKind }>): Record<MismatchKind, number> {
  const counts = Object.fromEntries(MISMATCH_KINDS.map((k) => [k, 0])) as Record<MismatchKind, number>;
  for (const c of changes) counts[c.mismatch]++;
  return counts;
}
