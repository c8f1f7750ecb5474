import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { FormEvent, ReactNode } from 'react';
import { api, call, type Answer } from '../api/client';
import { Link, navigate, useLocation } from '../router';
import { useSession, type SessionView } from '../session';
import { Empty, ErrorState, formatDate, Loading, Page, Status } from '../ui';

type Listed = Answer<'/v1/payments', 'get'>['payments'][number];
type Filters = { status?: 'received' | 'recorded'; method?: 'card' | 'bank_debit'; sync?: 'pending' | 'synced' | 'not-uploaded' | 'failed'; from?: string; to?: string; reference?: string; payer?: string; page?: number };

const FILTER_KEYS = ['status', 'method', 'sync', 'from', 'to', 'reference', 'payer'] as const;

function workflowUrl(session: SessionView, workflowId: string): string | null {
  const { uiUrl, namespace } = session.temporal;
  return uiUrl ? `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}` : null;
}

export function Payments() {
  const session = useSession();
  const { search } = useLocation();
  const filters: Filters = Object.fromEntries([...FILTER_KEYS.map((k) => [k, search.get(k) || undefined]), ['page', Number(search.get('page') ?? 1)]]);
  const list = useQuery({ queryKey: ['payments', filters], queryFn: () => call(api.GET('/v1/payments', { params: { query: { ...filters, pageSize: 50 } } })), placeholderData: keepPreviousData });
  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const query = new URLSearchParams();
    for (const k of FILTER_KEYS) {
      const v = String(form.get(k) ?? '').trim();
      if (v) query.set(k, v);
    }
    navigate(`/payments${query.size ? `?${query}` : ''}`);
  };
  const page = (n: number) => {
    const query = new URLSearchParams(search);
    query.set('page', String(n));
    navigate(`/payments?${query}`);
  };
  return (
    <Page title="Payments">
      <form className="filters card" onSubmit={apply} aria-label="Filter payments" key={search.toString()}>
        <div><label htmlFor="f-status">Status</label>
          <select id="f-status" name="status" defaultValue={filters.status ?? ''}><option value="">Any</option><option value="received">Received</option><option value="recorded">Recorded</option></select></div>
        <div><label htmlFor="f-method">Method</label>
          <select id="f-method" name="method" defaultValue={filters.method ?? ''}><option value="">Any</option><option value="card">Card</option><option value="bank_debit">Bank debit</option></select></div>
        <div><label htmlFor="f-sync">Accounting sync</label>
          <select id="f-sync" name="sync" defaultValue={filters.sync ?? ''}><option value="">Any</option><option value="pending">Pending</option><option value="synced">Synced</option><option value="not-uploaded">Not uploaded</option><option value="failed">Failed</option></select></div>
        <div><label htmlFor="f-from">Paid from</label><input id="f-from" name="from" type="date" defaultValue={filters.from} /></div>
        <div><label htmlFor="f-to">Paid to</label><input id="f-to" name="to" type="date" defaultValue={filters.to} /></div>
        <div><label htmlFor="f-reference">Reference starts with</label><input id="f-reference" name="reference" defaultValue={filters.reference} /></div>
        <div><label htmlFor="f-payer">Payer id</label><input id="f-payer" name="payer" placeholder="pyr_…" defaultValue={filters.payer} /></div>
        <div className="filter-buttons"><button type="submit">Filter</button><button type="button" className="secondary" onClick={() => navigate('/payments')}>Clear</button></div>
      </form>
      {list.isPending ? <Loading what="payments" /> : list.error ? <ErrorState error={list.error} retry={() => list.refetch()} /> : list.data.total === 0 ? (
        <Empty>No payments match. {search.size ? 'Clear the filters to see every payment.' : 'Payments appear here once taken (Pay Now, CPQ, the API).'}</Empty>
      ) : (
        <>
          <div className="table-wrap">
            <table>
              <caption className="sr-only">Payments, newest first</caption>
              <thead><tr><th scope="col">Reference</th><th scope="col" className="num">Amount</th><th scope="col">Method</th><th scope="col">Status</th>
                <th scope="col">Accounting</th><th scope="col">Paid</th><th scope="col">Workflow</th></tr></thead>
              <tbody>{list.data.payments.map((p) => <PaymentRow key={p.id} p={p} session={session} />)}</tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            <button type="button" className="secondary" disabled={list.data.page <= 1} onClick={() => page(list.data.page - 1)}>Previous</button>
            <span>Page {list.data.page} of {Math.max(1, Math.ceil(list.data.total / list.data.pageSize))} ({list.data.total} payments)</span>
            <button type="button" className="secondary" disabled={list.data.page * list.data.pageSize >= list.data.total} onClick={() => page(list.data.page + 1)}>Next</button>
          </nav>
        </>
      )}
    </Page>
  );
}

type Posting = Listed['sync']['postings'][number];

/** The invoice a payment was posted against, by the number people know it by, linked to it in Xero or QuickBooks. */
function InvoiceLink({ posting }: { posting: Posting }) {
  const name = posting.invoiceNumber ?? `invoice ${posting.invoiceId}`;
  return <a className="doc-link" href={posting.url} target="_blank" rel="noreferrer noopener" title={`Open ${name} in the books`}>{name}</a>;
}

function PaymentRow({ p, session }: { p: Listed; session: SessionView }) {
  const url = workflowUrl(session, p.workflowId);
  return (
    <tr>
      <th scope="row"><Link to={`/payments/${p.id}`}>{p.reference}</Link></th>
      <td className="num">{p.amount} {p.currency}</td>
      <td>{p.method.replace('_', ' ')}</td>
      <td><Status value={p.status} /></td>
      <td>
        <Status value={p.sync.status} />
        {p.sync.postings.map((posting) => <InvoiceLink key={posting.accountingPaymentId} posting={posting} />)}
      </td>
      <td>{p.paidOn ?? formatDate(p.createdAt)}</td>
      <td>{url ? <a href={url} target="_blank" rel="noreferrer noopener" title={p.workflowId}>Open in Temporal</a> : '—'}</td>
    </tr>
  );
}

type PaymentView = Answer<'/v1/payments/{paymentId}', 'get'>;
type RefundView = Answer<'/v1/payments/{paymentId}/refunds', 'get'>['refunds'][number];

const REFUND_BOOKS: Record<RefundView['books']['status'], string> = {
  pending: 'reversal in the books under way', reversed: 'reversed in the books', failed: 'the reversal in the books failed (see Messages)', 'not-posted': 'the payment was never posted: nothing to reverse',
};

/** What happened to the payment, in order: recorded, posted, each refund. */
function Timeline({ payment }: { payment: PaymentView }) {
  const refunds = useQuery({ queryKey: ['refunds', payment.id], queryFn: () => call(api.GET('/v1/payments/{paymentId}/refunds', { params: { path: { paymentId: payment.id } } })) });
  const events: Array<{ at: string; key: string; body: ReactNode }> = [];
  if (payment.recordedAt) events.push({ at: payment.recordedAt, key: 'recorded', body: <>Recorded: {payment.amount} {payment.currency} by {payment.method.replace('_', ' ')}</> });
  if (payment.sync.syncedAt) events.push({ at: payment.sync.syncedAt, key: 'synced', body: <>Posted to the books</> });
  for (const r of refunds.data?.refunds ?? []) {
    events.push({ at: r.createdAt, key: r.id, body: (
      <>Refund of {r.amount} {r.currency}{r.origin === 'dashboard' ? ' (made in the Stripe dashboard)' : ''}: <Status value={r.status} />{' '}
        <span className="muted">{r.status === 'failed' ? r.failure : REFUND_BOOKS[r.books.status]}</span></>
    ) });
  }
  events.sort((a, b) => a.at.localeCompare(b.at));
  return (
    <section className="card" aria-labelledby="timeline">
      <h2 id="timeline">Timeline</h2>
      <ol className="timeline" aria-label="What happened to this payment">
        {events.map((e) => <li key={e.key}><time dateTime={e.at}>{formatDate(e.at)}</time> {e.body}</li>)}
      </ol>
      {refunds.isPending ? <Loading what="refunds" /> : refunds.error ? <ErrorState error={refunds.error} retry={() => refunds.refetch()} />
        : refunds.data.refunds.length === 0 ? <p className="muted">No refunds.</p> : null}
    </section>
  );
}

export function PaymentDetail() {
  const session = useSession();
  const { path } = useLocation();
  const id = path.split('/')[2] ?? '';
  const payment = useQuery({ queryKey: ['payment', id], queryFn: () => call(api.GET('/v1/payments/{paymentId}', { params: { path: { paymentId: id } } })) });
  // A payment's workflow id is fixed by its ids (workflows/payments/definitions.ts, paymentWorkflowId).
  const workflowId = `payment/${session.merchant.id}/${id}`;
  const url = workflowUrl(session, workflowId);
  if (payment.isPending) return <Page title="Payment"><Loading what="the payment" /></Page>;
  if (payment.error) return <Page title="Payment"><ErrorState error={payment.error} /><p><Link to="/payments">Back to Payments</Link></p></Page>;
  const p = payment.data;
  return (
    <Page title={`Payment ${p.reference}`} actions={<Link to="/payments">Back to Payments</Link>}>
      <section className="card">
        <dl className="facts">
          <dt>Amount</dt><dd>{p.amount} {p.currency}</dd>
          {p.invoices.length > 0 && <><dt>Invoices</dt><dd><ul className="plain" id="paid-invoices">{p.invoices.map((i) => (
            <li key={i.invoiceId}>{i.number ?? p.sync.postings.find((x) => x.invoiceId === i.invoiceId)?.invoiceNumber ?? i.invoiceId}: {i.amount} {p.currency}
              {i.invoiceTotal !== undefined && <> of {i.invoiceTotal} {p.currency}{i.partOfInvoice && <> <span className="muted">(part payment)</span></>}</>}</li>
          ))}</ul></dd></>}
          <dt>Method</dt><dd>{p.method.replace('_', ' ')} ({p.channel.replace(/_/g, ' ')})</dd>
          <dt>Status</dt><dd><Status value={p.status} /></dd>
          <dt>Recorded</dt><dd>{formatDate(p.recordedAt)}</dd>
          <dt>Accounting</dt><dd><Status value={p.sync.status} /> {p.sync.reason && <span className="muted">{p.sync.reason}</span>} {p.sync.syncedAt && <>on {formatDate(p.sync.syncedAt)}</>}</dd>
          <dt>Workflow</dt><dd>{url ? <><a href={url} target="_blank" rel="noreferrer noopener"><code>{workflowId}</code></a> <span className="muted">(opens the Temporal Web UI)</span></>
            : <><code>{workflowId}</code> <span className="muted">(set TEMPORAL_UI_URL to link it to the Temporal Web UI)</span></>}</dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="postings">
        <h2 id="postings">In the books</h2>
        {p.sync.postings.length === 0 ? <p className="muted">Not posted yet.</p> : (
          <ul className="plain">{p.sync.postings.map((x) => <li key={x.accountingPaymentId}>{x.amount} {p.currency} against <InvoiceLink posting={x} /></li>)}</ul>
        )}
      </section>
      <Timeline payment={p} />
    </Page>
  );
}
