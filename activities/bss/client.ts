// The cloud BSS's billing export API (interworks.cloud-style): a month's recurring charges, a page at a time, with
// the merchant's API key as a bearer token. Answers are checked line by line with the same rules as an uploaded
// export (lib/billing-sync/lines.ts); a 429 is retried after its Retry-After, a bounded number of times.
import { checkLine, duplicateContracts, type BillingLine } from '../../lib/billing-sync/lines';

export interface BssCredentials {
  baseUrl: string;
  apiKey: string;
}

/** One recurring charge as the BSS sends it. */
export interface BssRecurringCharge {
  endCustomer: string;
  subscriptionId: string;
  product: string;
  billingPlan: string;
  billingCycle: string;
  quantity: number;
  unitCost: string;
  effectiveDate: string;
}

export interface BssPage {
  items: BssRecurringCharge[];
  nextPage: number | null;
}

export class BssApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(`BSS answered ${status}: ${message}`);
    this.name = 'BssApiError';
  }
}

export class BssDataError extends Error {
  constructor(readonly errors: Array<{ line: number; message: string }>) {
    super(`the BSS sent ${errors.length} line(s) Settle cannot use; first, line ${errors[0]?.line}: ${errors[0]?.message}`);
    this.name = 'BssDataError';
  }
}

export function createBssClient(creds: BssCredentials, opts: { maxRateLimitRetries?: number; pageSize?: number; sleep?: (ms: number) => Promise<void> } = {}) {
  const base = creds.baseUrl.replace(/\/+$/, '');
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  async function page(month: string, pageNo: number): Promise<BssPage> {
    const url = `${base}/api/v1/billing/recurring?month=${encodeURIComponent(month)}&page=${pageNo}&pageSize=${opts.pageSize ?? 500}`;
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${creds.apiKey}`, accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
      if (response.status === 429 && attempt < (opts.maxRateLimitRetries ?? 5)) {
        await response.body?.cancel();
        await sleep(Math.min(Number(response.headers.get('retry-after')) || 1, 60) * 1000);
        continue;
      }
      if (!response.ok) throw new BssApiError(response.status, (await response.text()).slice(0, 300));
      return (await response.json()) as BssPage;
    }
  }

  return {
    /** Every recurring charge of the month, numbered in the BSS's order; a line that fails the checks fails the lot. */
    async recurringLines(month: string): Promise<BillingLine[]> {
      const lines: BillingLine[] = [];
      const errors: Array<{ line: number; message: string }> = [];
      for (let pageNo: number | null = 1; pageNo !== null;) {
        const answer: BssPage = await page(month, pageNo);
        for (const item of answer.items) {
          const lineNo = lines.length + errors.length + 1;
          const checked = checkLine({ customer: String(item.endCustomer ?? '').trim(), contractId: String(item.subscriptionId ?? '').trim(),
            product: String(item.product ?? '').trim(), billingPeriod: String(item.billingPlan ?? '').trim(), commitmentPeriod: String(item.billingCycle ?? ''),
            units: String(item.quantity ?? ''), cost: String(item.unitCost ?? ''), effectiveDate: String(item.effectiveDate ?? '') }, month);
          if (checked.ok) lines.push({ lineNo, ...checked.value });
          else errors.push({ line: lineNo, message: checked.reason });
        }
        pageNo = answer.nextPage;
      }
      errors.push(...duplicateContracts(lines));
      if (errors.length) throw new BssDataError(errors);
      return lines;
    },
  };
}

export type BssClient = ReturnType<typeof createBssClient>;
