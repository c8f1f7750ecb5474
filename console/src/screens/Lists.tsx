import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import { Link } from '../router';
import { Empty, ErrorState, formatDate, Linkified, Loading, messageOf, Page, Status } from '../ui';

export function Customers() {
  const list = useQuery({ queryKey: ['customers'], queryFn: () => call(api.GET('/v1/customers', { params: { query: { pageSize: 200 } } })) });
  return (
    <Page title="Customers">
      {list.isPending ? <Loading what="customers" /> : list.error ? <ErrorState error={list.error} retry={() => list.refetch()} /> : list.data.total === 0 ? (
        <Empty>No customers yet. Customers who pay by BPAY are added through the API or the bank file import.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead><tr><th scope="col">Name</th><th scope="col">Reference</th><th scope="col">Contact</th><th scope="col">Last synced</th></tr></thead>
            <tbody>{list.data.customers.map((c) => (
              <tr key={c.id}>
                <th scope="row">{c.name}</th><td>{c.customerReference}</td>
                <td><Status value={c.matchStatus} /> {c.contactUrl ? <a href={c.contactUrl} target="_blank" rel="noreferrer noopener">open contact</a> : c.contactId ?? ''}
                  {c.matchStatus === 'needs-action' && <> — <Link to="/actions">choose the contact</Link></>}</td>
                <td>{formatDate(c.lastSyncedAt)}</td>
              </tr>
            ))}</tbody>
          </table>
          {list.data.total > list.data.customers.length && <p className="muted">Showing {list.data.customers.length} of {list.data.total}.</p>}
        </div>
      )}
    </Page>
  );
}

export function ActivityLog() {
  const log = useQuery({ queryKey: ['activity'], queryFn: () => call(api.GET('/v1/activity-log')) });
  return (
    <Page title="Activity log">
      {log.isPending ? <Loading what="the activity log" /> : log.error ? <ErrorState error={log.error} retry={() => log.refetch()} /> : log.data.entries.length === 0 ? (
        <Empty>Nothing yet: what Settle does for you (payments posted, connections made, invoices synced) is listed here.</Empty>
      ) : (
        <ol className="feed">{log.data.entries.map((e) => (
          <li key={e.id}><time dateTime={e.createdAt}>{formatDate(e.createdAt)}</time> <strong>{e.kind.replace(/[-_.]/g, ' ')}</strong> {e.subject} — <Linkified text={e.detail} /></li>
        ))}</ol>
      )}
    </Page>
  );
}

export function Actions() {
  const queries = useQueryClient();
  const list = useQuery({ queryKey: ['actions'], queryFn: () => call(api.GET('/v1/actions')) });
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const resolve = useMutation({
    mutationFn: ({ customerId, contactId }: { customerId: string; contactId: string }) =>
      call(api.PUT('/v1/customers/{customerId}/contact', { params: { path: { customerId } }, body: { contactId } })),
    onSuccess: (c) => {
      setNotice({ kind: 'ok', text: `${c.name} is matched to contact ${c.contactId}; its payments catch up on the next upload.` });
      return queries.invalidateQueries({ queryKey: ['actions'] });
    },
    onError: (err) => setNotice({ kind: 'error', text: messageOf(err) }),
  });
  const submit = (customerId: string) => (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    resolve.mutate({ customerId, contactId: String(new FormData(e.currentTarget).get('contact')).trim() });
  };
  return (
    <Page title="Actions">
      {notice && <div className={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>{notice.text}</div>}
      {list.isPending ? <Loading what="actions" /> : list.error ? <ErrorState error={list.error} retry={() => list.refetch()} /> : list.data.actions.length === 0 ? (
        <Empty>Nothing needs you right now.</Empty>
      ) : (
        <ul className="cards">{list.data.actions.map((a) => (
          <li key={a.id} className="card">
            <h2>{a.kind === 'match-customer' ? 'Choose the contact of a customer' : a.kind === 'reconnect-accounting' ? 'Reconnect your books' : a.kind.replace(/-/g, ' ')}</h2>
            <p><Linkified text={a.detail} /></p>
            <p className="muted">Since {formatDate(a.createdAt)} · {a.subject}</p>
            {a.kind === 'match-customer' && (
              <form className="inline" onSubmit={submit(a.subject)}>
                <label htmlFor={`contact-${a.id}`}>Accounting contact id</label>
                <input id={`contact-${a.id}`} name="contact" required maxLength={64} />
                <button type="submit" disabled={resolve.isPending}>Resolve</button>
              </form>
            )}
            {a.kind === 'reconnect-accounting' && <Link to="/connections">Open Connections</Link>}
          </li>
        ))}</ul>
      )}
    </Page>
  );
}

export function Messages() {
  const queries = useQueryClient();
  const list = useQuery({ queryKey: ['messages'], queryFn: () => call(api.GET('/v1/messages')) });
  const refresh = () => Promise.all([queries.invalidateQueries({ queryKey: ['messages'] }), queries.invalidateQueries({ queryKey: ['overview'] })]);
  const read = useMutation({ mutationFn: (messageId: string) => call(api.PUT('/v1/messages/{messageId}/read', { params: { path: { messageId } } })), onSuccess: refresh });
  const readAll = useMutation({ mutationFn: () => call(api.POST('/v1/messages/read')), onSuccess: refresh });
  const unread = list.data?.unread ?? 0;
  return (
    <Page title="Messages" actions={unread > 0 && <button type="button" className="secondary" onClick={() => readAll.mutate()} disabled={readAll.isPending}>Mark all read</button>}>
      {(read.error || readAll.error) && <ErrorState error={read.error ?? readAll.error} />}
      {list.isPending ? <Loading what="messages" /> : list.error ? <ErrorState error={list.error} retry={() => list.refetch()} /> : list.data.messages.length === 0 ? (
        <Empty>No messages. Settle writes here when something significant happens (a limit reached, an upload turned off).</Empty>
      ) : (
        <>
          <p id="unread-count" role="status">{unread === 0 ? 'All read.' : `${unread} unread.`}</p>
          <ol className="feed">{list.data.messages.map((m) => (
            <li key={m.id} className={m.readAt ? 'read' : 'unread'} aria-label={`${m.readAt ? 'Read' : 'Unread'} message: ${m.kind.replace(/[-_.]/g, ' ')}`}>
              <time dateTime={m.createdAt}>{formatDate(m.createdAt)}</time> {!m.readAt && <span className="chip">new</span>} <strong>{m.kind.replace(/[-_.]/g, ' ')}</strong> — <Linkified text={m.text} />
              {!m.readAt && <> <button type="button" className="secondary small" onClick={() => read.mutate(m.id)} disabled={read.isPending}>Mark read</button></>}
            </li>
          ))}</ol>
        </>
      )}
    </Page>
  );
}
