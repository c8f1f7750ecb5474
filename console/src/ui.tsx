// The pieces every screen uses: a page with its heading (focused on arrival, for keyboard and screen-reader users),
// loading, error and empty states that say what to do next, and small form helpers.
import { useEffect, useRef, type ReactNode } from 'react';
import { ApiError } from './api/client';

export function Page({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} — Settle`;
    heading.current?.focus();
  }, [title]);
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-head">
        <h1 id="page-title" tabIndex={-1} ref={heading}>{title}</h1>
        {actions && <div className="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="muted" role="status" aria-live="polite">Loading {what}…</p>;
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <div className="notice error" role="alert">
      <strong>{forbidden ? 'Only merchant admins can open this.' : 'This could not be loaded.'}</strong>{' '}
      {forbidden ? 'Ask an admin of your account if you need it.' : messageOf(error)}
      {retry && !forbidden && <button type="button" className="secondary small" onClick={retry}>Try again</button>}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="notice info empty">{children}</div>;
}

/**
 * What went wrong, as a sentence to show. The API's problem details are written to follow a status code ("the code is
 * wrong …: type …"); on a screen they start with a capital letter and end with a full stop.
 */
export function messageOf(error: unknown): string {
  if (error instanceof Error && error.message.trim()) return sentence(error.message);
  return 'Something went wrong. Try again.';
}

export function sentence(text: string): string {
  const t = text.trim();
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}${/[.!?…]$/.test(t) ? '' : '.'}`;
}

export function Status({ value }: { value: string }) {
  return <span className={`status status-${value.replace(/[^a-z-]/gi, '')}`}>{value.replace(/[-_]/g, ' ')}</span>;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A text with the http(s) addresses in it as links (activity log entries name documents by URL). */
export function Linkified({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s)]+)/g);
  return <>{parts.map((p, i) => (i % 2 ? <a key={i} href={p} target="_blank" rel="noreferrer noopener">{p}</a> : p))}</>;
}
