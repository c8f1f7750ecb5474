import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import { Link } from '../router';
import { messageOf, Page } from '../ui';

/** The invitation link's screen: the token is in the fragment (#token=…), which never reaches a server log. */
export function SetPassword() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = String(form.get('password'));
    if (password !== String(form.get('confirm'))) return setError('The two passwords are not the same.');
    try {
      await call(api.POST('/v1/session/password', { body: { token, password } }));
      setDone(true);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <main className="center narrow">
      <Page title="Set your password">
        {done ? (
          <div className="notice ok" role="status">Your password is set. <Link to="/sign-in">Sign in</Link>.</div>
        ) : !token ? (
          <div className="notice error" role="alert">This page needs the link from your invitation email. Ask an admin to invite you again if it expired.</div>
        ) : (
          <form className="card" onSubmit={submit}>
            {error && <div className="notice error" role="alert">{error}</div>}
            <label htmlFor="password">New password <span className="muted">(at least 12 characters)</span></label>
            <input id="password" name="password" type="password" autoComplete="new-password" minLength={12} required autoFocus />
            <label htmlFor="confirm">The same again</label>
            <input id="confirm" name="confirm" type="password" autoComplete="new-password" minLength={12} required />
            <button type="submit">Set password</button>
          </form>
        )}
      </Page>
    </main>
  );
}
