import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../api/client';
import { useSession } from '../session';
import { ErrorState, formatDate, Loading, messageOf, Page, Status } from '../ui';

type Role = 'wise-pay' | 'company' | 'service';
type Platform = 'xero' | 'quickbooks';
const PLATFORMS: Record<Platform, string> = { xero: 'Xero', quickbooks: 'QuickBooks Online' };

export function Connections() {
  const queries = useQueryClient();
  const list = useQuery({ queryKey: ['connections'], queryFn: () => call(api.GET('/v1/connections')) });
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<Role | null>(null);
  const connect = useMutation({
    mutationFn: ({ role, platform }: { role: Role; platform: Platform }) => call(api.POST('/v1/connections/{role}/authorize', { params: { path: { role } }, body: { platform } })),
    // The consent happens on the platform's own page; it sends the browser back to Settle when done.
    onSuccess: (answer) => location.assign(answer.consentUrl),
    onError: (err) => setError(messageOf(err)),
  });
  const disconnect = useMutation({
    mutationFn: (role: Role) => call(api.DELETE('/v1/connections/{role}', { params: { path: { role } } })),
    onSuccess: () => {
      setConfirming(null);
      return queries.invalidateQueries({ queryKey: ['connections'] });
    },
    onError: (err) => setError(messageOf(err)),
  });
  const session = useSession();
  // Multi-connection is the platform's decision: a Settle platform admin signed in here changes it, others read it.
  const multi = useMutation({
    mutationFn: (enabled: boolean) => call(api.PUT('/v1/connections/multi-connection', { body: { enabled } })),
    onSuccess: () => {
      setError(null);
      return queries.invalidateQueries({ queryKey: ['connections'] });
    },
    onError: (err) => setError(messageOf(err)),
  });
  if (list.isPending) return <Page title="Connections"><Loading what="connections" /></Page>;
  if (list.error) return <Page title="Connections"><ErrorState error={list.error} retry={() => list.refetch()} /></Page>;
  return (
    <Page title="Connections">
      <p id="multi-connection">
        <strong>Multi-connection: {list.data.multiConnection ? 'on' : 'off'}.</strong>{' '}
        <span className="muted">{list.data.multiConnection
          ? 'Each role (wise-pay, company, service) has its own accounting connection.'
          : 'The wise-pay connection serves every role.'}{' '}
          {session.user.platformAdmin ? '' : 'A Settle platform admin turns it on or off: ask Settle support if your roles post to different organisations.'}</span>
      </p>
      {session.user.platformAdmin && (
        <section className="card platform-admin" aria-labelledby="platform-admin-title">
          <h2 id="platform-admin-title">Platform admin</h2>
          <label className="choice">
            <input type="checkbox" checked={list.data.multiConnection} disabled={multi.isPending} onChange={(e) => multi.mutate(e.target.checked)} />
            Multi-connection for {session.merchant.name}
          </label>
          <p className="muted">On: each role connects its own organisation. Off: every role posts through the wise-pay connection. Only Settle platform admins see this.</p>
        </section>
      )}
      {error && <div className="notice error" role="alert">{error}</div>}
      <div className="table-wrap">
        <table>
          <thead><tr><th scope="col">Role</th><th scope="col">Platform</th><th scope="col">Organisation</th><th scope="col">Status</th>
            <th scope="col" className="num">Calls left (minute / day)</th><th scope="col">Connected since</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {list.data.connections.map((c) => {
              const own = c.usesConnectionOf === c.role;
              return (
                <tr key={c.role}>
                  <th scope="row">{c.role}</th>
                  <td>{c.platform ? PLATFORMS[c.platform] : '—'}</td>
                  {/* The name people know; the platform's id only when the platform gave no name (QuickBooks, older connections). */}
                  <td title={c.tenantId ?? undefined}>{c.organisationName ?? (c.tenantId ? <span className="muted">id {c.tenantId}</span> : '—')}</td>
                  <td><Status value={c.status} />{!own && <span className="muted"> (uses {c.usesConnectionOf})</span>}</td>
                  <td className="num">{c.budget.minuteRemaining ?? '—'} / {c.budget.dayRemaining ?? '—'}</td>
                  <td>{formatDate(c.connectedSince)}</td>
                  <td className="row-actions">
                    {own && (c.status === 'not-connected' || c.status === 'disconnected') && (
                      <ConnectButtons role={c.role} label="Connect" busy={connect.isPending} onPick={(platform) => connect.mutate({ role: c.role, platform })} />
                    )}
                    {own && c.status === 'reconnect_required' && c.platform && (
                      <button type="button" onClick={() => connect.mutate({ role: c.role, platform: c.platform! })} disabled={connect.isPending}>Reconnect {PLATFORMS[c.platform]}</button>
                    )}
                    {own && (c.status === 'connected' || c.status === 'reconnect_required') && (confirming === c.role ? (
                      <>
                        <button type="button" className="danger" onClick={() => disconnect.mutate(c.role)} disabled={disconnect.isPending}>Confirm disconnect</button>
                        <button type="button" className="secondary" onClick={() => setConfirming(null)}>Keep</button>
                      </>
                    ) : (
                      <button type="button" className="secondary" onClick={() => setConfirming(c.role)} aria-label={`Disconnect ${c.role}`}>Disconnect</button>
                    ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Page>
  );
}

function ConnectButtons({ role, label, busy, onPick }: { role: Role; label: string; busy: boolean; onPick: (p: Platform) => void }) {
  return (
    <>
      {(Object.keys(PLATFORMS) as Platform[]).map((p) => (
        <button key={p} type="button" disabled={busy} onClick={() => onPick(p)} aria-label={`${label} ${role} to ${PLATFORMS[p]}`}>{label} {PLATFORMS[p]}</button>
      ))}
    </>
  );
}
