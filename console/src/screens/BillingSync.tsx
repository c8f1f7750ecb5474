// Billing sync: pick a month, retrieve it from the BSS, fix the links of the grid's lines to Manage, review the
// proposal and approve it, then generate the invoices. The grid holds every line of the month (5,000 is normal) and
// renders only the rows in view.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type Column, type RowData, type Table } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { api, ApiError, call, type Answer } from '../api/client';
import { Empty, ErrorState, Loading, messageOf, Page, Status } from '../ui';

type Line = Answer<'/v1/billing-sync/runs/{month}/lines', 'get'>['lines'][number];
type Kind = 'company' | 'agreement' | 'product';
const KINDS: Kind[] = ['company', 'agreement', 'product'];
const BUSY = new Set(['fetching', 'validating', 'applying', 'invoicing']);
const PAGE = 1000;
const ROW_HEIGHT = 36;
/** Rows rendered beyond the screen on each side (keyboard moves and small scrolls find them ready). */
const OVERSCAN_ROWS = 2;
/** Room for a horizontal scrollbar under a short grid, so its rows never scroll under the header. */
const SCROLLBAR = 18;

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

declare module '@tanstack/react-table' {
  interface ColumnMeta<TData extends RowData, TValue> {
    /** A display column's content for one line, straight from the line (the grid draws no TanStack cells; see GridRow). */
    line?: (line: TData) => ReactNode;
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
      id: 'links', header: 'Manage links', size: 240,
      meta: {
        line: (line) => {
          const l = line.links;
          const missing = KINDS.filter((k) => !l[k]);
          // A linked line shows one chip, a line to fix one per missing link: fewer elements per row while scrolling.
          return (
            <span className="links-cell" title={KINDS.map((k) => `${k} ${linkText(l[k])}`).join(', ')}>
              {missing.length === 0 ? <span className="chip chip-ok">linked</span>
                : missing.map((k) => <span key={k} className="chip chip-missing">{k} ✗</span>)}
              <button type="button" className="link-button" onClick={() => setEditing(line)} aria-label={`Edit the links of line ${line.lineNo}`}>Edit</button>
            </span>
          );
        },
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
  return (
    <section className="card" aria-labelledby="grid-title">
      <h2 id="grid-title">Lines</h2>
      <label className="choice"><input type="checkbox" checked={onlyUnlinked} onChange={(e) => setOnlyUnlinked(e.target.checked)} /> Only lines that need a link</label>
      {editing && <LinkEditor month={month} line={editing} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); onChanged(); }} setNotice={setNotice} />}
      {lines.error ? <ErrorState error={lines.error} retry={() => lines.refetch()} /> : !lines.data ? <Loading what={`${run.lines} lines`} /> : data.length === 0 ? <Empty>Every line is linked.</Empty> : (
        <VirtualGrid table={table} onOpen={setEditing} />
      )}
    </section>
  );
}

const GRID_KEYS: Record<string, (at: number, count: number, page: number) => number> = {
  ArrowDown: (at, count) => Math.min(count - 1, at + 1),
  ArrowUp: (at) => Math.max(0, at - 1),
  PageDown: (at, count, page) => Math.min(count - 1, at + page),
  PageUp: (at, _count, page) => Math.max(0, at - page),
  Home: () => 0,
  End: (_at, count) => count - 1,
};

/**
 * The rows of the grid as absolutely placed divs of one fixed height (a table re-lays out every row whenever the rows
 * in view change: with 5,000 lines, that was the long tasks while scrolling). Only the rows in view and a few around
 * them are in the page; each is moved with a transform, and its DOM is reused for the next line to come into view (a
 * key per slot, not per line), so scrolling a screen changes text, not elements. Nothing here reads layout: the
 * virtualiser knows every row's place from the fixed height. ARIA grid roles with aria-rowcount/aria-rowindex keep it
 * a grid to a screen reader; the arrow keys, Page Up/Down, Home and End move the current row, Enter edits its links.
 */
function VirtualGrid({ table, onOpen }: { table: Table<Line>; onOpen: (line: Line) => void }) {
  const scroller = useRef<HTMLDivElement>(null);
  const rows = table.getRowModel().rows;
  const [active, setActive] = useState(0);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: OVERSCAN_ROWS,
    // The header row is sticky over the first ROW_HEIGHT: rows start below it, and a row scrolled to is not put under it.
    paddingStart: ROW_HEIGHT, scrollPaddingStart: ROW_HEIGHT,
    // Render in React's own batch after the scroll event, not synchronously inside it: a fast scroll then draws once
    // per frame instead of once per scroll event.
    useFlushSync: false });
  const items = virtual.getVirtualItems();
  // Line i is drawn in slot i mod (most rows ever in view): as the view moves, a line leaving frees exactly the slot
  // of the line coming in, so React updates the slot's text instead of removing a row and creating another.
  const slotCount = useRef(0);
  // At the top the range has no overscan rows above it: reserve them, or the first scroll would change the modulus and
  // with it every row's key (all rows remounted in one frame).
  slotCount.current = Math.max(slotCount.current, items.length + (items[0]?.index === 0 ? OVERSCAN_ROWS : 0));
  const slots = slotCount.current;
  const width = table.getTotalSize();
  const current = Math.min(active, rows.length - 1);
  // Each column's width, once: every cell has its column's fixed width, so laying out a row measures no content.
  const columns = table.getVisibleLeafColumns();
  const places = useMemo(() => columns.map((c) => ({ width: c.getSize() })), [columns]);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget) return; // the Edit buttons keep their own keys
    if (e.key === 'Enter') {
      e.preventDefault();
      onOpen(rows[current].original);
      return;
    }
    const move = GRID_KEYS[e.key];
    if (!move) return;
    e.preventDefault();
    const next = move(current, rows.length, Math.max(1, items.length - 2 * OVERSCAN_ROWS));
    setActive(next);
    virtual.scrollToIndex(next, { align: 'auto' });
  };
  return (
    <div className="grid-scroll" ref={scroller} data-testid="billing-grid" tabIndex={0} role="grid" aria-label="Billing lines"
      aria-rowcount={rows.length + 1} aria-colcount={places.length} aria-activedescendant={`grid-row-${current}`} onKeyDown={onKeyDown}
      aria-describedby="grid-help" style={{ height: `min(60vh, ${(rows.length + 1) * ROW_HEIGHT + 2 + SCROLLBAR}px)`, ['--grid-width' as string]: `${width}px` }}>
      <div className="grid-canvas" style={{ height: virtual.getTotalSize() }}>
        <div role="rowgroup" className="grid-head">
          {table.getHeaderGroups().map((g) => (
            <div role="row" aria-rowindex={1} className="grid-row" key={g.id}>
              {g.headers.map((h, i) => <div role="columnheader" key={h.id} style={places[i]}>{flexRender(h.column.columnDef.header, h.getContext())}</div>)}
            </div>
          ))}
        </div>
        <div role="rowgroup">
          {items.map((item) => (
            <GridRow key={item.index % slots} line={rows[item.index].original} index={item.index} top={item.start} active={item.index === current} columns={columns} places={places} />
          ))}
        </div>
      </div>
      <p id="grid-help" className="sr-only">{rows.length} lines. Arrow keys and Page Up or Page Down move between lines; Enter edits the links of the current line.</p>
    </div>
  );
}

type Place = { width: number };

/**
 * A cell's content, read from the line itself: the accessor's value, or a display column's `meta.line`. TanStack's own
 * cells (row.getVisibleCells()) are made once per row and kept by it: scrolling 5,000 lines kept 50,000 of them, and
 * the heap they grew was the major garbage collections that made a frame a long task.
 */
function lineCell(column: Column<Line, unknown>, line: Line, index: number): ReactNode {
  return column.accessorFn ? (column.accessorFn(line, index) as ReactNode) : column.columnDef.meta?.line?.(line);
}

/** One line of the grid; rows that stay in view while scrolling are not rendered again. */
const GridRow = memo(function GridRow({ line, index, top, active, columns, places }: { line: Line; index: number; top: number; active: boolean; columns: Column<Line, unknown>[]; places: Place[] }) {
  return (
    <div role="row" id={`grid-row-${index}`} aria-rowindex={index + 2} className={active ? 'grid-row active' : 'grid-row'} style={{ transform: `translateY(${top}px)` }}>
      {columns.map((c, i) => <div role="gridcell" key={c.id} style={places[i]}>{lineCell(c, line, index)}</div>)}
    </div>
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
    onError: (err) => setNotice({ kind: 'error', text: `Not approved. ${messageOf(err)}` }),
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
