import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import { navigate, useLocation } from '../router';
import { messageOf, Page } from '../ui';

export function SignIn() {
  const { search } = useLocation();
  const queries = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const session = await call(api.POST('/v1/session', { body: { email: String(form.get('email')), password: String(form.get('password')) } }));
      queries.setQueryData(['session'], session);
      const next = search.get('next');
      navigate(next && next.startsWith('/console/') && !next.startsWith('/console/sign-in') ? next : '/', { replace: true });
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="center narrow">
      <Page title="Sign in to Settle">
        <form className="card" onSubmit={submit} aria-describedby={error ? 'sign-in-error' : undefined}>
          {error && <div id="sign-in-error" className="notice error" role="alert">{error}</div>}
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="username" required autoFocus />
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required />
          <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        </form>
        <p className="muted">New here? Use the link in your invitation email to set your password.</p>
      </Page>
    </main>
  );
}
