// The Manage records billing sync reads and writes, typed as Manage sends them, over the thin client (client.ts).
// Dates on the wire are `YYYY-MM-DDT00:00:00Z`; Settle works in calendar dates and cents.
import type { AdditionSnapshot } from '../../lib/billing-sync/validation';
import { conditionString, type ManageClient } from './client';

export interface ManageRef { id: number; identifier?: string; name?: string }
export interface ManageCompany { id: number; identifier: string; name: string; status?: { name: string } }
export interface ManageAgreement { id: number; name: string; company: ManageRef; type?: ManageRef; startDate?: string; cancelledFlag?: boolean; agreementStatus?: string }
export interface ManageProduct { id: number; identifier: string; description: string; cost?: number; price?: number; inactiveFlag?: boolean }
export interface ManageAddition {
  id: number;
  agreementId: number;
  product: ManageRef;
  quantity: number;
  unitCost?: number;
  unitPrice?: number;
  billCustomer: string;
  effectiveDate?: string | null;
  cancelledDate?: string | null;
  serialNumber?: string | null;
  description?: string;
}
export interface ManageInvoice {
  id: number;
  invoiceNumber: string;
  type: string;
  company: ManageRef;
  agreement?: ManageRef;
  reference?: string;
  date: string;
  subtotal: number;
  total: number;
}

/** An invoice as the accounting interface exports it (lines with product type and GL account). */
export interface ManageAccountingInvoice {
  id: number;
  invoiceNumber: string;
  type: string;
  company: ManageRef;
  date: string;
  dueDate?: string;
  currency?: { currencyCode: string };
  total: number;
  balance?: number;
  glBatch?: ManageRef | null;
  lines?: Array<{ description: string; quantity: number; unitPrice: number; productType?: string; glAccount?: string; taxCode?: string; productClass?: string; unitCost?: number }>;
  _info?: { lastUpdated?: string };
}
export interface ManageBatch { id: number; batchIdentifier: string; exportedFlag: boolean }
export interface ManageInvoicePayment { id: number; type: string; amount: number; paymentDate: string; transactionId: string | null }

const day = (wire: string | null | undefined) => (wire ? wire.slice(0, 10) : null);
const wireDate = (date: string) => `${date}T00:00:00Z`;
const cents = (amount: number | undefined) => Math.round((amount ?? 0) * 100);

export function toSnapshot(a: ManageAddition): AdditionSnapshot {
  return { id: a.id, agreementId: a.agreementId, productId: a.product.id, quantity: a.quantity, unitCostMinor: cents(a.unitCost),
    effectiveDate: day(a.effectiveDate) ?? '', cancelledDate: day(a.cancelledDate), contractId: a.serialNumber || null };
}

export function manageApi(client: ManageClient) {
  return {
    companies: {
      list: (conditions?: string) => client.list<ManageCompany>('/company/companies', { conditions, orderBy: 'id asc' }),
      byIdentifier: async (identifier: string) => (await client.list<ManageCompany>('/company/companies', { conditions: `identifier=${conditionString(identifier)}` }))[0],
      create: (body: { identifier: string; name: string }, key: string) =>
        client.post<ManageCompany>('/company/companies', { ...body, status: { name: 'Active' }, types: [{ name: 'Client' }] }, key),
    },
    agreements: {
      /** Open agreements (not cancelled). */
      listOpen: (conditions?: string) =>
        client.list<ManageAgreement>('/finance/agreements', { conditions: ['cancelledFlag=false', conditions].filter(Boolean).join(' and '), orderBy: 'id asc' }),
      byCompanyAndName: async (companyId: number, name: string) =>
        (await client.list<ManageAgreement>('/finance/agreements', { conditions: `company/id=${companyId} and name=${conditionString(name)} and cancelledFlag=false` }))[0],
      create: (body: { name: string; companyId: number; startDate: string }, key: string) =>
        client.post<ManageAgreement>('/finance/agreements', { name: body.name, company: { id: body.companyId }, type: { name: 'Cloud Services' },
          startDate: wireDate(body.startDate), billCycleId: 1, agreementStatus: 'Active' }, key),
    },
    additions: {
      list: (agreementId: number, conditions?: string) =>
        client.list<ManageAddition>(`/finance/agreements/${agreementId}/additions`, { conditions, orderBy: 'id asc' }),
      /** The billed addition carrying a Contract ID, if there is one: what a retried create finds. */
      byContract: async (agreementId: number, contractId: string) =>
        (await client.list<ManageAddition>(`/finance/agreements/${agreementId}/additions`, { conditions: `serialNumber=${conditionString(contractId)} and cancelledDate=null` }))[0],
      create: (agreementId: number, body: { productId: number; quantity: number; unitCostMinor: number; effectiveDate: string; contractId: string; description: string }, key: string) =>
        client.post<ManageAddition>(`/finance/agreements/${agreementId}/additions`, {
          product: { id: body.productId }, quantity: body.quantity, unitCost: body.unitCostMinor / 100, billCustomer: 'Billable',
          effectiveDate: wireDate(body.effectiveDate), serialNumber: body.contractId, invoiceDescription: body.description,
        }, key),
      update: (agreementId: number, additionId: number, set: { quantity?: number; effectiveDate?: string; cancelledDate?: string; contractId?: string }, key: string) =>
        client.patch<ManageAddition>(`/finance/agreements/${agreementId}/additions/${additionId}`, [
          ...(set.quantity !== undefined ? [{ op: 'replace' as const, path: 'quantity', value: set.quantity }] : []),
          ...(set.effectiveDate !== undefined ? [{ op: 'replace' as const, path: 'effectiveDate', value: wireDate(set.effectiveDate) }] : []),
          ...(set.cancelledDate !== undefined ? [{ op: 'replace' as const, path: 'cancelledDate', value: wireDate(set.cancelledDate) }] : []),
          ...(set.contractId !== undefined ? [{ op: 'replace' as const, path: 'serialNumber', value: set.contractId }] : []),
        ], key),
    },
    products: {
      list: (conditions?: string) => client.list<ManageProduct>('/procurement/catalog', { conditions: ['inactiveFlag=false', conditions].filter(Boolean).join(' and '), orderBy: 'id asc' }),
      byIdentifier: async (identifier: string) => (await client.list<ManageProduct>('/procurement/catalog', { conditions: `identifier=${conditionString(identifier)}` }))[0],
      create: (body: { identifier: string; description: string; costMinor: number }, key: string) =>
        client.post<ManageProduct>('/procurement/catalog', { identifier: body.identifier, description: body.description, cost: body.costMinor / 100,
          price: body.costMinor / 100, subcategory: { name: 'Cloud' }, type: { name: 'Service' }, productClass: 'Agreement' }, key),
    },
    invoices: {
      /** The agreement invoice of a month, made by an earlier attempt (its reference names the month). */
      forAgreement: async (agreementId: number, reference: string) =>
        (await client.list<ManageInvoice>('/finance/invoices', { conditions: `agreement/id=${agreementId} and reference=${conditionString(reference)}` }))[0],
      /** Process the agreement for the month: an invoice of its billed additions, as Manage's "Process Agreements" makes. */
      createForAgreement: (body: { agreementId: number; companyId: number; date: string; reference: string }, key: string) =>
        client.post<ManageInvoice>('/finance/invoices', { type: 'Agreement', agreement: { id: body.agreementId }, company: { id: body.companyId },
          date: wireDate(body.date), reference: body.reference }, key),
      list: (conditions: string) => client.list<ManageInvoice>('/finance/invoices', { conditions, orderBy: 'id asc' }),
      payments: (invoiceId: number) => client.list<ManageInvoicePayment>(`/finance/invoices/${invoiceId}/payments`),
      /** Records a payment on the invoice; `transactionId` is the accounting id it came from (how a retry finds it). */
      addPayment: (invoiceId: number, body: { type: string; amount: number; paymentDate: string; transactionId: string }, key: string) =>
        client.post<ManageInvoicePayment>(`/finance/invoices/${invoiceId}/payments`, { ...body, paymentDate: wireDate(body.paymentDate) }, key),
    },
    accounting: {
      unposted: () => client.list<{ id: number }>('/finance/accounting/unpostedinvoices', { orderBy: 'id asc' }),
      batchByIdentifier: async (identifier: string) =>
        (await client.list<ManageBatch>('/finance/accounting/batches', { conditions: `batchIdentifier=${conditionString(identifier)}` }))[0],
      createBatch: (identifier: string, key: string) =>
        client.post<ManageBatch>('/finance/accounting/batches', { batchIdentifier: identifier, exportInvoicesFlag: true }, key),
      invoicesByIds: (ids: number[]) => client.list<ManageAccountingInvoice>('/finance/invoices', { conditions: `id in (${ids.map(Number).join(',')})`, orderBy: 'id asc' }),
      companiesByIds: (ids: number[]) => client.list<ManageCompany>('/company/companies', { conditions: `id in (${ids.map(Number).join(',')})`, orderBy: 'id asc' }),
      batchInvoices: (batchId: number) => client.list<ManageAccountingInvoice>('/finance/invoices', { conditions: `glBatch/id=${batchId}`, orderBy: 'id asc' }),
      markExported: (batchId: number, key: string) =>
        client.patch<ManageBatch>(`/finance/accounting/batches/${batchId}`, [{ op: 'replace', path: 'exportedFlag', value: true }], key),
    },
  };
}

export type ManageApi = ReturnType<typeof manageApi>;
