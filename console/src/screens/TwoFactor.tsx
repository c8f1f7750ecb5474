// Two-factor sign-in: the code asked after the password, and enrolling an authenticator app (scan the QR code or type
// the key, confirm with a first code, keep the ten recovery codes shown this once). Enrolment is a screen of its own
// when the merchant requires it (the session opens nothing until it is done), and a card of the Account screen.
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import { navigate } from '../router';
import type { SessionView } from '../session';
import { messageOf, Page } from '../ui';

async function signOut(queries: ReturnType<typeof useQueryClient>) {
  await call(api.DELETE('/v1/session')).catch(() => undefined);
  queries.clear();
  navigate('/sign-in', { replace: true });
}

/** After the password: the app's code or a recovery code. */
export function SecondFactor({ session }: { session: SessionView }) {
  const queries = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [recovery, setRecovery] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget).get('code'));
    setBusy(true);
    setError(null);
    try {
      queries.setQueryData(['session'], await call(api.POST('/v1/session/second-factor', { body: { code } })));
    } catch (err) {
      setError(messageOf(err));
      // Five wrong codes end the signing-in session: the password is asked again.
      if (err && typeof err === 'object' && 'status' in err && err.status === 401 && /sign in again/.test(messageOf(err))) {
        queries.clear();
        navigate('/sign-in', { replace: true });
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="center narrow">
      <Page title="Two-factor sign-in">
        <form className="card" onSubmit={submit} aria-describedby={error ? 'code-error' : undefined}>
          <p>Signing in as {session.user.email}.</p>
          {error && <div id="code-error" className="notice error" role="alert">{error}</div>}
          {recovery ? (
            <>
              <label htmlFor="code">Recovery code</label>
              <input id="code" name="code" key="recovery" autoComplete="off" required placeholder="xxxx-xxxx-xxxx-xxxx" autoFocus />
            </>
          ) : (
            <>
              <label htmlFor="code">Code from your authenticator app</label>
              <input id="code" name="code" key="app" inputMode="numeric" autoComplete="one-time-code" pattern="\s*\d{3}\s?\d{3}\s*" required autoFocus />
            </>
          )}
          <button type="submit" disabled={busy}>{busy ? 'Checking…' : 'Sign in'}</button>
        </form>
        <div className="button-row">
          <button type="button" className="secondary small" onClick={() => { setRecovery(!recovery); setError(null); }}>
            {recovery ? 'Use a code from the app' : 'Use a recovery code instead'}
          </button>
          <button type="button" className="secondary small" onClick={() => signOut(queries)}>Cancel</button>
        </div>
      </Page>
    </main>
  );
}

/** The screen a user without two-factor sign-in sees when the merchant requires it. */
export function RequiredEnrolment({ session }: { session: SessionView }) {
  const queries = useQueryClient();
  return (
    <main className="center narrow">
      <Page title="Set up two-factor sign-in">
        <div className="card">
          <p>{session.merchant.name} requires a code from an authenticator app at every sign-in. Set it up to open the console.</p>
          <Enrolment onDone={() => queries.invalidateQueries({ queryKey: ['session'] })} />
        </div>
        <button type="button" className="secondary small" onClick={() => signOut(queries)}>Sign out</button>
      </Page>
    </main>
  );
}

interface Started { secret: string; otpauthUri: string; qrCode: string }

/** Enrolment: start, scan, confirm with a first code, then the recovery codes (shown once). */
export function Enrolment({ onDone }: { onDone: () => void }) {
  const [started, setStarted] = useState<Started | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const start = () => run(async () => setStarted(await call(api.POST('/v1/session/two-factor'))));
  const confirm = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget).get('code'));
    return run(async () => setCodes((await call(api.POST('/v1/session/two-factor/confirm', { body: { code } }))).recoveryCodes));
  };
  if (codes) {
    return (
      <div className="enrolment">
        <div className="notice ok" role="status">Two-factor sign-in is on.</div>
        <p>Keep these recovery codes somewhere safe: each signs you in once if you lose your phone. <strong>They are not shown again.</strong></p>
        <ol className="recovery-codes" aria-label="Recovery codes">{codes.map((c) => <li key={c}><code>{c}</code></li>)}</ol>
        <button type="button" onClick={onDone}>I have saved them</button>
      </div>
    );
  }
  return (
    <div className="enrolment">
      {error && <div className="notice error" role="alert">{error}</div>}
      {!started ? (
        <button type="button" onClick={start} disabled={busy}>{busy ? 'Starting…' : 'Set up an authenticator app'}</button>
      ) : (
        <form onSubmit={confirm}>
          <p>Scan this code with your authenticator app (Google Authenticator, Microsoft Authenticator, 1Password…), or type the key.</p>
          <img className="qr" src={started.qrCode} width={200} height={200} alt="QR code of your two-factor sign-in key" />
          <label htmlFor="totp-secret">Key</label>
          <input id="totp-secret" readOnly value={started.secret.replace(/(.{4})/g, '$1 ').trim()} />
          <label htmlFor="enrol-code">Code the app shows</label>
          <input id="enrol-code" name="code" inputMode="numeric" autoComplete="one-time-code" pattern="\s*\d{3}\s?\d{3}\s*" required />
          <button type="submit" disabled={busy}>{busy ? 'Checking…' : 'Turn on'}</button>
        </form>
      )}
    </div>
  );
}
