import { useQuery } from '@tanstack/react-query';
import { api, call } from '../api/client';
import { Link } from '../router';
import { isAdmin, useSession } from '../session';
import { Empty, ErrorState, formatDate, Loading, Page, Status } from '../ui';

export function Overview() {
  const session = useSession();
  const overview = useQuery({ queryKey: ['overview'], queryFn: () => call(api.GET('/v1/overview')) });
  const connections = useQuery({ queryKey: ['connections'], queryFn: () => call(api.GET('/v1/connections')), enabled: isAdmin(session) });
  if (overview.isPending) return <Page title="Overview"><Loading what="the overview" /></Page>;
  if (overview.error) return <Page title="Overview"><ErrorState error={overview.error} retry={() => overview.refetch()} /></Page>;
  const o = overview.data;
  const max = Math.max(1, ...o.daily.map((d) => d.amountMinor));
  return (
    <Page title="Overview">
      <div className="tiles">
        <section className="card tile" aria-labelledby="month-payments">
          <h2 id="month-payments">Payments in {o.month}</h2>
          {o.byMethod.length === 0 ? <p className="muted">None yet this month.</p> : (
            <ul className="plain">{o.byMethod.map((m) => <li key={`${m.method}-${m.currency}`}><strong>{m.amount} {m.currency}</strong> by {m.method.replace('_', ' ')} ({m.count})</li>)}</ul>
          )}
        </section>
        <section className="card tile" aria-labelledby="sync-health">
          <h2 id="sync-health">Accounting sync</h2>
          <p><strong>{o.sync.pending}</strong> waiting, <strong>{o.sync.failed}</strong> failed, {o.sync.notUploaded} not uploaded</p>
          <p className="muted">Last synced {formatDate(o.sync.lastSyncedAt)}</p>
        </section>
        <section className="card tile" aria-labelledby="to-do">
          <h2 id="to-do">To do</h2>
          <p><Link to="/actions">{o.openActions} open action{o.openActions === 1 ? '' : 's'}</Link></p>
          <p><Link to="/messages">{o.unreadMessages} unread message{o.unreadMessages === 1 ? '' : 's'}</Link></p>
        </section>
      </div>
      <section className="card" aria-labelledby="last-30">
        <h2 id="last-30">Last 30 days</h2>
        {o.daily.length === 0 ? <Empty>No payments in the last 30 days. Payments taken through Pay Now, CPQ or the API show here.</Empty> : (
          <div className="bars" role="img" aria-label={`Payments per day: ${o.daily.map((d) => `${d.day} ${d.amount} ${d.currency}`).join(', ')}`}>
            {o.daily.map((d) => <div key={`${d.day}-${d.currency}`} className="bar" title={`${d.day}: ${d.amount} ${d.currency} (${d.count})`} style={{ height: `${Math.max(4, (d.amountMinor / max) * 100)}%` }} />)}
          </div>
        )}
      </section>
      {isAdmin(session) && (
        <section className="card" aria-labelledby="connections-health">
          <h2 id="connections-health">Connections</h2>
          {connections.error ? <ErrorState error={connections.error} /> : !connections.data ? <Loading what="connections" /> : (
            <table>
              <thead><tr><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Last used</th><th scope="col" className="num">Calls left today</th></tr></thead>
              <tbody>{connections.data.connections.map((c) => (
                <tr key={c.role}><td>{c.role}</td><td><Status value={c.status} /></td><td>{formatDate(c.lastUsedAt)}</td><td className="num">{c.budget.dayRemaining ?? '—'}</td></tr>
              ))}</tbody>
            </table>
          )}
        </section>
      )}
    </Page>
  );
}
