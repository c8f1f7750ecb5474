import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import { isAdmin, useSession } from '../session';
import { Empty, ErrorState, formatDate, Loading, messageOf, Page } from '../ui';
import { Enrolment } from './TwoFactor';

export function Account() {
  const session = useSession();
  return (
    <Page title="Account">
      <section className="card">
        <h2>You</h2>
        <p>{session.user.name} ({session.user.email}), {session.user.role} of {session.merchant.name}. Sessions end after {Math.round(session.idleTimeoutSeconds / 60)} minutes without activity.</p>
      </section>
      <TwoFactorCard />
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

function TwoFactorCard() {
  const session = useSession();
  const queries = useQueryClient();
  const admin = isAdmin(session);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const requirement = useQuery({ queryKey: ['two-factor-requirement'], enabled: admin, queryFn: () => call(api.GET('/v1/merchant/settings/console-two-factor')) });
  const require = useMutation({
    mutationFn: (required: boolean) => call(api.PUT('/v1/merchant/settings/console-two-factor', { body: { required } })),
    onSuccess: (d) => {
      setNotice({ kind: 'ok', text: d.required ? 'Two-factor sign-in is now required: users without it set it up at their next sign-in.' : 'Two-factor sign-in is optional.' });
      return Promise.all([queries.invalidateQueries({ queryKey: ['two-factor-requirement'] }), queries.invalidateQueries({ queryKey: ['session'] })]);
    },
    onError: (err) => setNotice({ kind: 'error', text: messageOf(err) }),
  });
  const { twoFactor } = session;
  return (
    <section className="card" aria-labelledby="two-factor-title">
      <h2 id="two-factor-title">Two-factor sign-in</h2>
      {twoFactor.enabled ? (
        <p>On: you sign in with a code from your authenticator app. {twoFactor.recoveryCodesLeft} of 10 recovery codes left.</p>
      ) : (
        <>
          <p className="muted">Off: your password alone signs you in. Add a code from an authenticator app, so a stolen password is not enough.</p>
          <Enrolment onDone={() => queries.invalidateQueries({ queryKey: ['session'] })} />
        </>
      )}
      {admin && (
        <>
          {notice && <div className={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>{notice.text}</div>}
          {requirement.error ? <ErrorState error={requirement.error} /> : (
            <label className="choice">
              <input type="checkbox" checked={requirement.data?.required ?? false} disabled={requirement.isPending || require.isPending}
                onChange={(e) => require.mutate(e.target.checked)} />
              Require two-factor sign-in for every user of {session.merchant.name}
            </label>
          )}
        </>
      )}
    </section>
  );
}
