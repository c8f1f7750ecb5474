// The emulated Manage's data: one tenant per login company (its API members' keys and its records). Each kind of
// record is a collection of its own, so more of Manage (the accounting interface's unposted invoices and batches)
// can be added as further collections without touching these.
import { randomBytes } from 'node:crypto';

export interface Ref { id: number; identifier?: string; name?: string }

export interface Company { id: number; identifier: string; name: string; status: { name: string }; types: Array<{ name: string }>; _info: { dateEntered: string } }
export interface Agreement {
  id: number; name: string; company: Ref; type: { name: string }; startDate: string; endDate: string | null;
  agreementStatus: string; cancelledFlag: boolean; billCycleId: number;
}
export interface CatalogItem { id: number; identifier: string; description: string; cost: number; price: number; inactiveFlag: boolean; productClass: string }
export interface Addition {
  id: number; agreementId: number; product: Ref; quantity: number; unitCost: number; unitPrice: number; billCustomer: string;
  effectiveDate: string | null; cancelledDate: string | null; serialNumber: string | null; invoiceDescription: string; description: string;
}
export interface InvoiceLine {
  additionId: number; product: Ref; description: string; quantity: number; unitPrice: number; extendedPrice: number;
  /** What the accounting interface exports with each line: the product type, its GL account and, for inventory, its cost. */
  productType?: string; glAccount?: string; taxCode?: string; productClass?: string; unitCost?: number;
}
export interface Invoice {
  id: number; invoiceNumber: string; type: 'Agreement' | 'Standard'; company: Ref; agreement: Ref | null; reference: string;
  date: string; subtotal: number; total: number; lines: InvoiceLine[];
  // The accounting interface (accounting.ts): the batch an invoice was exported in, once it is in one.
  dueDate?: string; currency?: { currencyCode: string }; glBatch?: Ref | null; exportedFlag?: boolean;
  /** Payments recorded against the invoice, and what is left to pay. */
  payments?: number; balance?: number;
  _info?: { lastUpdated: string };
}
/** A batch of the accounting interface: the invoices exported together, marked exported once the books have them. */
export interface AccountingBatch { id: number; batchIdentifier: string; exportInvoicesFlag: boolean; exportedFlag: boolean; invoiceIds: number[]; _info: { dateEntered: string } }
export interface InvoicePayment { id: number; invoice: Ref; type: string; amount: number; paymentDate: string; transactionId: string | null; appliedBy: string }

export interface ApiMember { publicKey: string; privateKey: string }

/** A wrapper of one kind of record with the next id; ids are unique within the tenant, as Manage's are per table. */
export class Collection<T extends { id: number }> {
  readonly byId = new Map<number, T>();
  private nextId: number;
  constructor(firstId: number) {
    this.nextId = firstId;
  }
  add(record: Omit<T, 'id'>): T {
    const full = { ...record, id: this.nextId++ } as T;
    this.byId.set(full.id, full);
    return full;
  }
  all(): T[] {
    return [...this.byId.values()];
  }
  get(id: number): T | undefined {
    return this.byId.get(id);
  }
}

export class ManageTenant {
  readonly members: ApiMember[] = [];
  readonly companies = new Collection<Company>(250);
  readonly agreements = new Collection<Agreement>(100);
  readonly catalog = new Collection<CatalogItem>(1000);
  readonly additions = new Collection<Addition>(5000);
  readonly invoices = new Collection<Invoice>(7000);
  readonly batches = new Collection<AccountingBatch>(300);
  readonly invoicePayments = new Collection<InvoicePayment>(9000);
  private revisions = 0;

  constructor(readonly companyId: string) {}

  addCompany(name: string, identifier = name.replace(/[^A-Za-z0-9]/g, '').slice(0, 25)): Company {
    return this.companies.add({ identifier, name, status: { name: 'Active' }, types: [{ name: 'Client' }], _info: { dateEntered: new Date().toISOString() } });
  }

  addAgreement(companyId: number, name: string, startDate = '2020-01-01'): Agreement {
    const company = this.companies.get(companyId);
    if (!company) throw new Error(`no company ${companyId}`);
    return this.agreements.add({ name, company: { id: company.id, identifier: company.identifier, name: company.name }, type: { name: 'Cloud Services' },
      startDate: `${startDate}T00:00:00Z`, endDate: null, agreementStatus: 'Active', cancelledFlag: false, billCycleId: 1 });
  }

  addProduct(identifier: string, description = identifier, cost = 0): CatalogItem {
    return this.catalog.add({ identifier, description, cost, price: cost, inactiveFlag: false, productClass: 'Agreement' });
  }

  addAddition(agreementId: number, productId: number, fields: { quantity: number; unitCost?: number; effectiveDate?: string; cancelledDate?: string | null; serialNumber?: string | null }): Addition {
    const product = this.catalog.get(productId);
    if (!product) throw new Error(`no product ${productId}`);
    return this.additions.add({
      agreementId, product: { id: product.id, identifier: product.identifier }, quantity: fields.quantity, unitCost: fields.unitCost ?? product.cost,
      unitPrice: fields.unitCost ?? product.price, billCustomer: 'Billable', effectiveDate: fields.effectiveDate ? `${fields.effectiveDate}T00:00:00Z` : null,
      cancelledDate: fields.cancelledDate ? `${fields.cancelledDate}T00:00:00Z` : null, serialNumber: fields.serialNumber ?? null,
      invoiceDescription: product.description, description: product.description,
    });
  }

  /**
   * A standard invoice ready for accounting (unposted): a negative total is a credit. Lines carry the product type and
   * GL account the accounting interface exports them with.
   */
  addStandardInvoice(companyId: number, fields: { date: string; dueDate?: string; currency?: string; reference?: string; invoiceNumber?: string;
    lines: Array<{ description: string; quantity: number; unitPrice: number; productType: string; glAccount?: string; taxCode?: string; productClass?: string; unitCost?: number }> }): Invoice {
    const company = this.companies.get(companyId);
    if (!company) throw new Error(`no company ${companyId}`);
    const lines = fields.lines.map((l) => ({ additionId: 0, product: { id: 0, identifier: l.description.slice(0, 25) }, ...l,
      extendedPrice: Math.round(l.quantity * l.unitPrice * 100) / 100 }));
    const total = Math.round(lines.reduce((sum, l) => sum + l.extendedPrice, 0) * 100) / 100;
    const invoice = this.invoices.add({
      invoiceNumber: fields.invoiceNumber ?? '', type: 'Standard', company: { id: company.id, identifier: company.identifier, name: company.name }, agreement: null,
      reference: fields.reference ?? '', date: `${fields.date}T00:00:00Z`, dueDate: `${fields.dueDate ?? fields.date}T00:00:00Z`,
      currency: { currencyCode: fields.currency ?? 'AUD' }, subtotal: total, total, lines, glBatch: null, exportedFlag: false, payments: 0, balance: total,
      _info: { lastUpdated: this.nextRevision() },
    });
    if (!invoice.invoiceNumber) invoice.invoiceNumber = `INV${invoice.id}`;
    return invoice;
  }

  /** An edit in Manage: a new revision (its _info.lastUpdated moves). */
  touchInvoice(id: number): void {
    const invoice = this.invoices.get(id);
    if (invoice) invoice._info = { lastUpdated: this.nextRevision() };
  }

  private nextRevision(): string {
    return new Date(Date.UTC(2026, 0, 1) + ++this.revisions * 1000).toISOString().replace('.000Z', 'Z');
  }

  additionsOf(agreementId: number): Addition[] {
    return this.additions.all().filter((a) => a.agreementId === agreementId);
  }

  snapshot() {
    return { companyId: this.companyId, companies: this.companies.all(), agreements: this.agreements.all(), catalog: this.catalog.all(),
      additions: this.additions.all(), invoices: this.invoices.all(), batches: this.batches.all(), invoicePayments: this.invoicePayments.all() };
  }
}

export class ManageState {
  readonly tenants = new Map<string, ManageTenant>();

  /** A new tenant with one API member; answers what Settle's Manage connection needs. */
  createTenant(companyId = `settle${randomBytes(3).toString('hex')}`): { tenant: ManageTenant; companyId: string; publicKey: string; privateKey: string } {
    const tenant = new ManageTenant(companyId);
    const member = { publicKey: randomBytes(8).toString('hex'), privateKey: randomBytes(8).toString('hex') };
    tenant.members.push(member);
    this.tenants.set(companyId.toLowerCase(), tenant);
    return { tenant, companyId, ...member };
  }

  tenant(companyId: string): ManageTenant | undefined {
    return this.tenants.get(companyId.toLowerCase());
  }
}
