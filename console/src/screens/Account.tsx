import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import { isAdmin, useSession } from '../session';
import { Empty, ErrorState, formatDate, Loading, messageOf, Page } from '../ui';

export function Account() {
  const session = useSession();
  return (
    <Page title="Account">
      <section className="card">
        <h2>You</h2>
        <p>{session.user.name} ({session.user.email}), {session.user.role} of {session.merchant.name}. Sessions end after {Math.round(session.idleTimeoutSeconds / 60)} minutes without activity.</p>
      </section>
      <DebugLogs admin={isAdmin(session)} />
      {isAdmin(session) && <Users />}
    </Page>
  );
}

function DebugLogs({ admin }: { admin: boolean }) {
  const queries = useQueryClient();
  const logs = useQuery({ queryKey: ['debug-logs'], queryFn: () => call(api.GET('/v1/merchant/debug-logs')) });
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [confirmClear, setConfirmClear] = useState(false);
  const refresh = () => queries.invalidateQueries({ queryKey: ['debug-logs'] });
  const toggle = useMutation({
    mutationFn: (enabled: boolean) => call(api.PUT('/v1/merchant/settings/debug-logging', { body: { enabled } })),
    onSuccess: (d) => { setNotice({ kind: 'ok', text: d.debugLogging ? 'Debug logging is on.' : 'Debug logging is off.' }); return refresh(); },
    onError: (err) => setNotice({ kind: 'error', text: messageOf(err) }),
  });
  const clear = useMutation({
    mutationFn: () => call(api.DELETE('/v1/merchant/debug-logs')),
    onSuccess: (d) => { setConfirmClear(false); setNotice({ kind: 'ok', text: `Cleared ${d.deleted} entries for good.` }); return refresh(); },
    onError: (err) => setNotice({ kind: 'error', text: messageOf(err) }),
  });
  return (
    <section className="card" aria-labelledby="debug-title">
      <h2 id="debug-title">Debug logging</h2>
      <p className="muted">Keeps the detail of posted invoices and the inventory audit trail for troubleshooting. Off by default; clear it when you are done.</p>
      {notice && <div className={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>{notice.text}</div>}
      {logs.isPending ? <Loading what="debug logs" /> : logs.error ? <ErrorState error={logs.error} retry={() => logs.refetch()} /> : (
        <>
          <label className="choice">
            <input type="checkbox" checked={logs.data.debugLogging} disabled={!admin || toggle.isPending} onChange={(e) => toggle.mutate(e.target.checked)} />
            Debug logging {!admin && <span className="muted">(an admin can change it)</span>}
          </label>
          <p>{logs.data.entries.length} log entries, {logs.data.inventory.length} inventory audit entries.</p>
          {admin && (confirmClear ? (
            <div className="button-row">
              <button type="button" className="danger" onClick={() => clear.mutate()} disabled={clear.isPending}>Delete them for good</button>
              <button type="button" className="secondary" onClick={() => setConfirmClear(false)}>Keep them</button>
            </div>
          ) : <button type="button" className="secondary" onClick={() => setConfirmClear(true)} disabled={logs.data.entries.length + logs.data.inventory.length === 0}>Clear logs</button>)}
        </>
      )}
    </section>
  );
}

function Users() {
  const queries = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => call(api.GET('/v1/users')) });
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const invite = useMutation({
    mutationFn: (body: { email: string; name: string; role: 'admin' | 'billing' }) => call(api.POST('/v1/users', { body })),
    onSuccess: (u) => { setNotice({ kind: 'ok', text: `Invited ${u.email}: they get an email with a link to set their password.` }); return queries.invalidateQueries({ queryKey: ['users'] }); },
    onError: (err) => setNotice({ kind: 'error', text: messageOf(err) }),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    invite.mutate({ email: String(form.get('email')), name: String(form.get('name')), role: form.get('role') === 'admin' ? 'admin' : 'billing' });
    e.currentTarget.reset();
  };
  return (
    <section className="card" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      {notice && <div className={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>{notice.text}</div>}
      {users.isPending ? <Loading what="users" /> : users.error ? <ErrorState error={users.error} /> : users.data.users.length === 0 ? <Empty>No users.</Empty> : (
        <table>
          <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Since</th></tr></thead>
          <tbody>{users.data.users.map((u) => <tr key={u.id}><th scope="row">{u.name}</th><td>{u.email}</td><td>{u.role}{!u.passwordSet && <span className="muted"> (invited)</span>}</td><td>{formatDate(u.createdAt)}</td></tr>)}</tbody>
        </table>
      )}
      <form className="filters" onSubmit={submit} aria-label="Invite a user">
        <div><label htmlFor="invite-name">Name</label><input id="invite-name" name="name" required maxLength={200} /></div>
        <div><label htmlFor="invite-email">Email</label><input id="invite-email" name="email" type="email" required /></div>
        <div><label htmlFor="invite-role">Role</label><select id="invite-role" name="role" defaultValue="billing"><option value="billing">Billing</option><option value="admin">Admin</option></select></div>
        <div className="filter-buttons"><button type="submit" disabled={invite.isPending}>Invite</button></div>
      </form>
    </section>
  );
}
