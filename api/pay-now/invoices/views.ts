// The HTML of the payer's invoice page (GET /pay/m/:merchantId/invoices): sign in, or the outstanding invoices to
// select and pay, payments in progress, billing terms with "Stop automatic payments", and past payments. Everything
// interpolated is escaped by `html`; amounts shown here are for reading only (the checkout reads its own).
import type { PaymentMethodKind } from '../../../lib/quotes/methods';
import { html, type SafeHtml } from '../html';
import { loginForm, methodLabel, type FormEcho } from '../identify-forms';

export interface Notice {
  kind: 'ok' | 'info' | 'error';
  text: string;
}

export interface InvoiceRow {
  id: string;
  number: string;
  date: string;
  dueDate: string | null;
  amountDue: string;
  currency: string;
  /** Held by a checkout (this payer's or someone else's): not selectable until it ends. */
  beingPaid: boolean;
}

export interface InvoicesPageModel {
  base: string;
  merchantName: string;
  payerName: string;
  invoices: InvoiceRow[];
  methods: PaymentMethodKind[];
  /** This payer's checkouts still open: where to carry on (or cancel). */
  openCheckouts: Array<{ checkoutId: string; what: string; amount: string }>;
  terms: Array<{ id: string; description: string; active: boolean }>;
  payments: Array<{ date: string; amount: string; invoices: string; how: string; status: string }>;
  notice?: Notice;
  /** Invoices to show ticked again after a refused "Pay selected". */
  selected?: string[];
  /** The amounts typed, by invoice id, shown again after a refused "Pay selected". */
  amounts?: Record<string, string>;
  /** Set when the merchant lets payers pay part of an invoice: the least part (e.g. "10.00 USD"). */
  partialMinimum?: string;
}

const notice = (n?: Notice) => (n ? html`<div class="notice ${n.kind}" id="notice" role="${n.kind === 'error' ? 'alert' : 'status'}">${n.text}</div>` : '');

export function signInPage(base: string, merchantName: string, echo: FormEcho['login'] = {}, n?: Notice): SafeHtml {
  return html`<div class="card"><p class="muted">${merchantName}</p><h1>Your invoices</h1>
<p>Sign in with the email address and password of your account with ${merchantName} to see and pay your invoices.</p></div>
${notice(n)}${loginForm(base, echo)}`;
}

function invoiceTable(m: InvoicesPageModel): SafeHtml {
  if (!m.invoices.length) return html`<div class="card" id="outstanding"><h2>Outstanding invoices</h2><p>You have no invoices to pay. Thank you!</p></div>`;
  const selected = new Set(m.selected ?? []);
  const partial = m.partialMinimum !== undefined;
  // With part payments, each invoice has the amount to pay beside it: the balance unless the payer changes it.
  const amountCell = (i: InvoiceRow) => (!partial ? '' : i.beingPaid ? html`<td></td>`
    : html`<td class="num"><input type="text" name="amount-${i.id}" id="amount-${i.id}" inputmode="decimal" size="10" value="${m.amounts?.[i.id] ?? i.amountDue}" aria-label="Amount to pay of invoice ${i.number} (${i.currency})"></td>`);
  const rows = m.invoices.map((i) => html`<tr>
<td>${i.beingPaid ? html`<span class="status">Payment in progress</span>` : html`<input type="checkbox" name="invoice" value="${i.id}" id="invoice-${i.id}" aria-label="Pay invoice ${i.number}"${selected.has(i.id) ? html` checked` : ''}>`}</td>
<td><label for="invoice-${i.id}">${i.number}</label></td><td>${i.date}</td><td>${i.dueDate ?? ''}</td><td class="num">${i.amountDue} ${i.currency}</td>${amountCell(i)}</tr>`);
  const currency = m.invoices[0].currency;
  const methods = m.methods.map((method, n) => html`<label class="choice"><input type="radio" name="method" value="${method}"${n === 0 ? html` checked` : ''}> Pay by ${methodLabel(method, currency)}</label>`);
  return html`<form class="card" method="post" action="${m.base}/pay" id="outstanding">
<h2>Outstanding invoices</h2>
${partial ? html`<p class="muted" id="partial-hint">You may pay part of an invoice: change the amount to pay (at least ${m.partialMinimum}, at most the amount due). The rest stays owed.</p>` : ''}
<table><thead><tr><th></th><th>Invoice</th><th>Date</th><th>Due</th><th class="num">Amount due</th>${partial ? html`<th class="num">Amount to pay</th>` : ''}</tr></thead><tbody>${rows}</tbody></table>
${m.methods.length ? html`<fieldset><legend>How would you like to pay?</legend>${methods}</fieldset><button type="submit">Pay selected</button>`
    : html`<div class="notice error">${`No payment method is available. Please contact ${m.merchantName}.`}</div>`}
</form>`;
}

function openCheckouts(m: InvoicesPageModel): SafeHtml | '' {
  if (!m.openCheckouts.length) return '';
  return html`<div class="card" id="in-progress"><h2>Payments in progress</h2>
${m.openCheckouts.map((c) => html`<form method="post" action="${m.base}/checkouts/${c.checkoutId}/cancel">
<p>${c.what}: ${c.amount}. <a href="${m.base}/checkouts/${c.checkoutId}">Continue paying</a></p>
<button type="submit" class="secondary">Cancel this payment</button></form>`)}</div>`;
}

function terms(m: InvoicesPageModel): SafeHtml | '' {
  if (!m.terms.length) return '';
  return html`<div class="card" id="terms"><h2>Automatic payments</h2>
${m.terms.map((t) => html`<form method="post" action="${m.base}/terms/${t.id}/revoke"><p>${t.description}</p>
${t.active ? html`<button type="submit" class="danger">Stop automatic payments</button>` : html`<p><span class="status">Stopped</span></p>`}</form>`)}</div>`;
}

function payments(m: InvoicesPageModel): SafeHtml | '' {
  if (!m.payments.length) return '';
  return html`<div class="card" id="payments"><h2>Past payments</h2>
<table><thead><tr><th>Date</th><th>Invoices</th><th>How</th><th class="num">Amount</th><th>Status</th></tr></thead><tbody>
${m.payments.map((p) => html`<tr><td>${p.date}</td><td>${p.invoices}</td><td>${p.how}</td><td class="num">${p.amount}</td><td>${p.status}</td></tr>`)}
</tbody></table></div>`;
}

export function invoicesPage(m: InvoicesPageModel): SafeHtml {
  return html`<div class="card"><p class="muted">${m.merchantName}</p><h1>Your invoices</h1>
<form method="post" action="${m.base}/logout"><p class="muted">Signed in as ${m.payerName}. <button type="submit" class="secondary">Sign out</button></p></form></div>
${notice(m.notice)}${openCheckouts(m)}${invoiceTable(m)}${terms(m)}${payments(m)}`;
}
