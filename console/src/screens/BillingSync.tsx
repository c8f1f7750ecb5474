// Billing sync: pick a month, retrieve it from the BSS, fix the links of the grid's lines to Manage, review the
// proposal and approve it, then generate the invoices. The grid holds every line of the month (5,000 is normal) and
// renders only the rows in view.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type Row } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, call, type Answer } from '../api/client';
import { Empty, ErrorState, Loading, messageOf, Page, Status } from '../ui';

type Line = Answer<'/v1/billing-sync/runs/{month}/lines', 'get'>['lines'][number];
type Kind = 'company' | 'agreement' | 'product';
const BUSY = new Set(['fetching', 'validating', 'applying', 'invoicing']);
const PAGE = 1000;
const ROW_HEIGHT = 36;

function months(): string[] {
  const now = new Date();
  return Array.from({ length: 13 }, (_, i) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1 - i, 1));
    return d.toISOString().slice(0, 7);
  });
}

export function BillingSync() {
  const queries = useQueryClient();
  const choices = useMemo(months, []);
  const initial = new URLSearchParams(location.search).get('month');
  // Next month, this month, then the past year: the month that just ended is the one usually billed.
  const [month, setMonth] = useState(initial && choices.includes(initial) ? initial : choices[2]);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const run = useQuery({
    queryKey: ['billing-run', month],
    queryFn: async () => {
      try {
        return await call(api.GET('/v1/billing-sync/runs/{month}', { params: { path: { month } } }));
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    refetchInterval: (q) => (q.state.data && BUSY.has(q.state.data.status) ? 1500 : false),
  });
  const refresh = () => queries.invalidateQueries({ queryKey: ['billing-run', month] });
  const retrieve = useMutation({
    mutationFn: () => call(api.POST('/v1/billing-sync/runs', { body: { month } })),
    onSuccess: (data) => {
      queries.setQueryData(['billing-run', month], data);
      setNotice(null);
    },
    onError: (err) => setNotice({ kind: 'error', text: messageOf(err) }),
  });
  const status = run.data?.status;
  return (
    <Page title="Billing sync">
      <div className="toolbar">
        <label htmlFor="month">Month</label>
        <select id="month" value={month} onChange={(e) => { setMonth(e.target.value); setNotice(null); }}>
          {choices.map((m) => <option key={m} value={m}>{new Date(`${m}-01T00:00:00Z`).toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' })}</option>)}
        </select>
        <button type="button" onClick={() => retrieve.mutate()} disabled={retrieve.isPending || (!!status && status !== 'failed')}>
          {retrieve.isPending ? 'Retrieving…' : 'Retrieve from BSS'}
        </button>
      </div>
      {notice && <div className={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>{notice.text}</div>}
      {run.isPending ? <Loading what="the month" /> : run.error ? <ErrorState error={run.error} retry={() => run.refetch()} /> : !run.data ? (
        <Empty>Nothing retrieved for this month yet. Press <strong>Retrieve from BSS</strong> to read its lines.</Empty>
      ) : (
        <>
          <section className="card" aria-labelledby="run-status">
            <h2 id="run-status">Status: <Status value={run.data.status} /></h2>
            <p role="status" aria-live="polite">
              {run.data.lines} lines · {run.data.unlinked} need a link · {run.data.applied} changes applied · {run.data.skipped} skipped
              {BUSY.has(run.data.status) && <> · <progress aria-label={`${run.data.status}…`} /> working…</>}
            </p>
            {run.data.problem && <div className="notice error" role="alert">{run.data.problem}</div>}
          </section>
          {run.data.lines > 0 && <Grid month={month} run={run.data} onChanged={refresh} setNotice={setNotice} />}
          {run.data.status === 'awaiting-approval' && <Proposal month={month} version={run.data.proposal?.version ?? null} onApproved={refresh} setNotice={setNotice} />}
          {run.data.status === 'applied' && <Invoices month={month} onDone={refresh} setNotice={setNotice} />}
        </>
      )}
    </Page>
  );
}

type SetNotice = (n: { kind: 'ok' | 'error'; text: string } | null) => void;
type RunView = Answer<'/v1/billing-sync/runs/{month}', 'get'>;

async function allLines(month: string): Promise<Line[]> {
  const lines: Line[] = [];
  for (let page = 1; ; page++) {
    const answer = await call(api.GET('/v1/billing-sync/runs/{month}/lines', { params: { path: { month }, query: { page, pageSize: PAGE } } }));
    lines.push(...answer.lines);
    if (lines.length >= answer.total || answer.lines.length === 0) return lines;
  }
}

const column = createColumnHelper<Line>();
const linkText = (l: Line['links'][Kind]) => (l ? `#${l.id}${l.source === 'suggested' ? ' (suggested)' : ''}` : 'missing');

function Grid({ month, run, onChanged, setNotice }: { month: string; run: RunView; onChanged: () => void; setNotice: SetNotice }) {
  const lines = useQuery({ queryKey: ['billing-lines', month, run.status, run.unlinked], queryFn: () => allLines(month), placeholderData: keepPreviousData });
  const [editing, setEditing] = useState<Line | null>(null);
  const [onlyUnlinked, setOnlyUnlinked] = useState(false);
  const data = useMemo(() => (onlyUnlinked ? (lines.data ?? []).filter((l) => !l.links.company || !l.links.agreement || !l.links.product) : lines.data ?? []), [lines.data, onlyUnlinked]);
  // The links first: they are what the merchant fixes; the BSS's fields follow under Manage's names.
  const columns = useMemo(() => [
    column.accessor('lineNo', { header: '#', size: 52 }),
    column.display({
      id: 'links', header: 'Manage links', size: 270,
      cell: ({ row }) => {
        const l = row.original.links;
        return (
          <span className="links-cell">
            {(['company', 'agreement', 'product'] as Kind[]).map((k) => (
              <span key={k} className={`chip ${l[k] ? 'chip-ok' : 'chip-missing'}`} title={`${k} ${linkText(l[k])}`}>{k}{l[k] ? '' : ' ✗'}</span>
            ))}
            <button type="button" className="link-button" onClick={() => setEditing(row.original)} aria-label={`Edit the links of line ${row.original.lineNo}`}>Edit</button>
          </span>
        );
      },
    }),
    column.accessor('Customer', { header: 'Customer', size: 180 }),
    column.accessor('Contract ID', { header: 'Contract ID', size: 110 }),
    column.accessor('Product', { header: 'Product', size: 200 }),
    column.accessor('Billing Period', { header: 'Billing Period', size: 110 }),
    column.accessor('Commitment Period', { header: 'Commitment Period', size: 130 }),
    column.accessor('Units', { header: 'Units', size: 64 }),
    column.accessor('Cost', { header: 'Cost', size: 84 }),
    column.accessor('Effective Date', { header: 'Effective Date', size: 116 }),
  ], []);
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel() });
  const scroller = useRef<HTMLDivElement>(null);
  const rows = table.getRowModel().rows;
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 6 });
  const items = virtual.getVirtualItems();
  const top = items[0]?.start ?? 0;
  const bottom = virtual.getTotalSize() - (items.at(-1)?.end ?? 0);
  const width = table.getTotalSize();
  return (
    <section className="card" aria-labelledby="grid-title">
      <h2 id="grid-title">Lines</h2>
      <label className="choice"><input type="checkbox" checked={onlyUnlinked} onChange={(e) => setOnlyUnlinked(e.target.checked)} /> Only lines that need a link</label>
      {editing && <LinkEditor month={month} line={editing} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); onChanged(); }} setNotice={setNotice} />}
      {lines.error ? <ErrorState error={lines.error} retry={() => lines.refetch()} /> : !lines.data ? <Loading what={`${run.lines} lines`} /> : data.length === 0 ? <Empty>Every line is linked.</Empty> : (
        <div className="grid-scroll" ref={scroller} data-testid="billing-grid" tabIndex={0} aria-label={`Billing lines, ${data.length} rows; scroll to see more`}>
          <table className="grid" style={{ width }} aria-rowcount={data.length + 1}>
            <thead>
              {table.getHeaderGroups().map((g) => (
                <tr key={g.id}>{g.headers.map((h) => <th key={h.id} scope="col" style={{ width: h.getSize() }}>{flexRender(h.column.columnDef.header, h.getContext())}</th>)}</tr>
              ))}
            </thead>
            <tbody>
              {top > 0 && <tr aria-hidden="true"><td style={{ height: top }} colSpan={columns.length} /></tr>}
              {items.map((item) => <GridRow key={rows[item.index].id} row={rows[item.index]} index={item.index} />)}
              {bottom > 0 && <tr aria-hidden="true"><td style={{ height: bottom }} colSpan={columns.length} /></tr>}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** One line of the grid; rows that stay in view while scrolling are not rendered again. */
const GridRow = memo(function GridRow({ row, index }: { row: Row<Line>; index: number }) {
  return (
    <tr aria-rowindex={index + 2} style={{ height: ROW_HEIGHT }}>
      {row.getVisibleCells().map((cell) => <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>)}
    </tr>
  );
});

function LinkEditor({ month, line, onClose, onSaved, setNotice }: { month: string; line: Line; onClose: () => void; onSaved: () => void; setNotice: SetNotice }) {
  const firstMissing = (['company', 'agreement', 'product'] as Kind[]).find((k) => !line.links[k]) ?? 'company';
  const [kind, setKind] = useState<Kind>(firstMissing);
  const key = kind === 'product' ? line.productKey : line.customerKey;
  const save = useMutation({
    mutationFn: (id: number) => call(api.PUT('/v1/billing-sync/runs/{month}/links', { params: { path: { month } }, body: { links: [{ kind, key, id }] } })),
    onSuccess: () => {
      setNotice({ kind: 'ok', text: `Linked every line of ${key} (${kind}); Settle remembers it next month.` });
      onSaved();
    },
    onError: (err) => setNotice({ kind: 'error', text: messageOf(err) }),
  });
  const create = useMutation({
    mutationFn: () => call(api.POST('/v1/billing-sync/runs/{month}/create-missing', { params: { path: { month } }, body: { kind, key } })),
    onSuccess: (answer) => {
      setNotice({ kind: 'ok', text: `Created ${answer.name} (#${answer.id}) in Manage and linked it.` });
      onSaved();
    },
    onError: (err) => setNotice({ kind: 'error', text: messageOf(err) }),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    save.mutate(Number(new FormData(e.currentTarget).get('manage-id')));
  };
  return (
    <form className="editor" onSubmit={submit} aria-labelledby="editor-title">
      <h3 id="editor-title">Links of line {line.lineNo}: {line.Customer} — {line.Product}</h3>
      <label htmlFor="link-kind">Link</label>
      <select id="link-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
        <option value="company">Company</option><option value="agreement">Agreement</option><option value="product">Product</option>
      </select>
      <p className="muted">Now {kind} {linkText(line.links[kind])}. Applies to every line of “{key}”.</p>
      <label htmlFor="manage-id">Manage {kind} id</label>
      <input id="manage-id" name="manage-id" type="number" min={1} required defaultValue={line.links[kind]?.id ?? ''} autoFocus />
      <div className="button-row">
        <button type="submit" disabled={save.isPending}>Save link</button>
        <button type="button" className="secondary" onClick={() => create.mutate()} disabled={create.isPending}>Create in Manage</button>
        <button type="button" className="secondary" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}

function Proposal({ month, version, onApproved, setNotice }: { month: string; version: string | null; onApproved: () => void; setNotice: SetNotice }) {
  const proposal = useQuery({ queryKey: ['billing-proposal', month, version], queryFn: () => call(api.GET('/v1/billing-sync/runs/{month}/proposal', { params: { path: { month }, query: { page: 1, pageSize: 200 } } })) });
  const approve = useMutation({
    mutationFn: (proposalVersion: string) => call(api.POST('/v1/billing-sync/runs/{month}/approve', { params: { path: { month } }, body: { proposalVersion } })),
    onSuccess: () => {
      setNotice({ kind: 'ok', text: 'Approved: the changes are being applied in Manage.' });
      onApproved();
    },
    // A stale proposal (the month changed since it was read) is refused: the reason says what to do.
    onError: (err) => setNotice({ kind: 'error', text: `Not approved: ${messageOf(err)}` }),
  });
  if (proposal.isPending) return <Loading what="the proposal" />;
  if (proposal.error) return <ErrorState error={proposal.error} retry={() => proposal.refetch()} />;
  const p = proposal.data;
  return (
    <section className="card" aria-labelledby="proposal-title">
      <h2 id="proposal-title">What will change in Manage</h2>
      <p>{p.total} change{p.total === 1 ? '' : 's'}: {Object.entries(p.byKind).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k.replace(/-/g, ' ')}`).join(', ') || 'none'}.</p>
      {p.changes.length > 0 && (
        <div className="table-wrap short">
          <table>
            <thead><tr><th scope="col">Change</th><th scope="col">Mismatch</th><th scope="col">Status</th></tr></thead>
            <tbody>{p.changes.map((c) => <tr key={c.changeId}><td><code>{c.changeId}</code></td><td>{c.mismatch.replace(/-/g, ' ')}</td><td>{c.status}</td></tr>)}</tbody>
          </table>
        </div>
      )}
      <button type="button" onClick={() => p.version && approve.mutate(p.version)} disabled={!p.version || approve.isPending}>Approve and apply</button>
    </section>
  );
}

function Invoices({ month, onDone, setNotice }: { month: string; onDone: () => void; setNotice: SetNotice }) {
  const generate = useMutation({
    mutationFn: () => call(api.POST('/v1/billing-sync/runs/{month}/invoices', { params: { path: { month } } })),
    onSuccess: () => {
      setNotice({ kind: 'ok', text: 'The invoices are generated in Manage.' });
      onDone();
    },
    onError: (err) => setNotice({ kind: 'error', text: messageOf(err) }),
  });
  return (
    <section className="card">
      <h2>Agreements are up to date</h2>
      <p>Manage's agreements match the month. Generate the month's invoices in Manage when you are ready.</p>
      <button type="button" onClick={() => generate.mutate()} disabled={generate.isPending}>Generate invoices</button>
    </section>
  );
}
