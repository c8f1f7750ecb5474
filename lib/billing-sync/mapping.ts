// Linking each BSS line to a Manage company, agreement and catalog product. Links are keyed, not per line: a BSS
// customer is one company and one agreement, a BSS product one catalog item, so choosing once links every line with
// that key, and the choice is remembered per merchant for next month. Suggestions, in order: what the merchant
// chose before (while it still exists in Manage), else the one Manage record whose name matches. Pure.
import type { BillingLine } from './lines';

export const LINK_KINDS = ['company', 'agreement', 'product'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];
export type LinkSource = 'remembered' | 'suggested' | 'chosen' | 'created';

export interface ManageDirectory {
  companies: ReadonlyArray<{ id: number; identifier: string; name: string }>;
  /** Open agreements only. */
  agreements: ReadonlyArray<{ id: number; name: string; companyId: number }>;
  products: ReadonlyArray<{ id: number; identifier: string; description: string }>;
}

/** Remembered links by kind, keyed by `linkKey` of the BSS customer (company, agreement) or product. */
export type RememberedLinks = Record<LinkKind, ReadonlyMap<string, number>>;

export interface Link {
  id: number;
  source: LinkSource;
}

export interface LineLinks {
  company?: Link;
  agreement?: Link;
  product?: Link;
}

/** The key a BSS name is linked by: case, punctuation and spacing do not make another customer or product. */
export function linkKey(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** What a line's link of this kind is keyed by. */
export function keyOf(kind: LinkKind, line: Pick<BillingLine, 'customer' | 'product'>): string {
  return linkKey(kind === 'product' ? line.product : line.customer);
}

/** The name Settle gives an agreement it creates for a BSS customer (and looks for when suggesting one). */
export function agreementNameFor(customer: string): string {
  return `${customer} - Cloud Services`.slice(0, 100);
}

/** FNV-1a, as 6 base-36 characters: a short stable suffix that keeps two similar names apart. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36).toUpperCase().padStart(7, '0').slice(-6);
}

/**
 * The identifier of a company or product Settle creates: derived from the BSS name only, so a retried create looks up
 * the same identifier and finds what the first attempt made. Manage identifiers are at most 25 characters.
 */
export function identifierFor(name: string): string {
  const letters = linkKey(name).replace(/[^A-Za-z0-9]/g, '').slice(0, 18) || 'X';
  return `${letters}-${shortHash(linkKey(name))}`;
}

function unique<T>(items: T[]): T | undefined {
  return items.length === 1 ? items[0] : undefined;
}

/** Links for every line: remembered where the record still exists, else a unique name match, else none. */
export function suggestLinks(lines: readonly BillingLine[], remembered: RememberedLinks, directory: ManageDirectory): Map<number, LineLinks> {
  const companies = new Map(directory.companies.map((c) => [c.id, c]));
  const agreements = new Map(directory.agreements.map((a) => [a.id, a]));
  const products = new Map(directory.products.map((p) => [p.id, p]));
  const byCustomer = new Map<string, Pick<LineLinks, 'company' | 'agreement'>>();
  const byProduct = new Map<string, Link | undefined>();

  const customerLinks = (line: BillingLine) => {
    const key = keyOf('company', line);
    const known = byCustomer.get(key);
    if (known) return known;
    const rememberedCompany = remembered.company.get(key);
    const company: Link | undefined = rememberedCompany !== undefined && companies.has(rememberedCompany)
      ? { id: rememberedCompany, source: 'remembered' }
      : (() => {
          const match = unique(directory.companies.filter((c) => linkKey(c.name) === key || linkKey(c.identifier) === key));
          return match && { id: match.id, source: 'suggested' as const };
        })();
    let agreement: Link | undefined;
    if (company) {
      const rememberedAgreement = remembered.agreement.get(key);
      if (rememberedAgreement !== undefined && agreements.get(rememberedAgreement)?.companyId === company.id) {
        agreement = { id: rememberedAgreement, source: 'remembered' };
      } else {
        const ofCompany = directory.agreements.filter((a) => a.companyId === company.id);
        const match = unique(ofCompany.filter((a) => linkKey(a.name) === linkKey(agreementNameFor(line.customer)))) ?? unique(ofCompany);
        agreement = match && { id: match.id, source: 'suggested' };
      }
    }
    const links = { company, agreement };
    byCustomer.set(key, links);
    return links;
  };
  const productLink = (line: BillingLine) => {
    const key = keyOf('product', line);
    if (byProduct.has(key)) return byProduct.get(key);
    const rememberedProduct = remembered.product.get(key);
    const match = rememberedProduct !== undefined && products.has(rememberedProduct)
      ? { id: rememberedProduct, source: 'remembered' as const }
      : (() => {
          const found = unique(directory.products.filter((p) => linkKey(p.identifier) === key || linkKey(p.description) === key));
          return found && { id: found.id, source: 'suggested' as const };
        })();
    byProduct.set(key, match);
    return match;
  };

  const result = new Map<number, LineLinks>();
  for (const line of lines) {
    const { company, agreement } = customerLinks(line);
    const product = productLink(line);
    result.set(line.lineNo, { ...(company && { company }), ...(agreement && { agreement }), ...(product && { product }) });
  }
  return result;
}
