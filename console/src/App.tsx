// The console: signed-out screens (sign in, set password) and, once signed in, one navigation to every screen.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, type ComponentType } from 'react';
import { api, ApiError, call, SIGNED_OUT_EVENT, setCsrfToken, type Answer } from './api/client';
import { Link, navigate, useLocation } from './router';
import { SessionContext, isAdmin, type SessionView } from './session';
import { SetPassword } from './screens/SetPassword';
import { SignIn } from './screens/SignIn';
import { RequiredEnrolment, SecondFactor } from './screens/TwoFactor';
import { Overview } from './screens/Overview';
import { ErrorState, Loading } from './ui';

// The first screen (Overview) is in the main bundle; the others load when opened.
const lazily = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) => lazy(async () => ({ default: (await load())[name] }));
const Connections = lazily(() => import('./screens/Connections'), 'Connections');
const Integrations = lazily(() => import('./screens/Integrations'), 'Integrations');
const BillingSync = lazily(() => import('./screens/BillingSync'), 'BillingSync');
const Payments = lazily(() => import('./screens/Payments'), 'Payments');
const PaymentDetail = lazily(() => import('./screens/Payments'), 'PaymentDetail');
const Customers = lazily(() => import('./screens/Lists'), 'Customers');
const ActivityLog = lazily(() => import('./screens/Lists'), 'ActivityLog');
const Actions = lazily(() => import('./screens/Lists'), 'Actions');
const Messages = lazily(() => import('./screens/Lists'), 'Messages');
const Reminders = lazily(() => import('./screens/Reminders'), 'Reminders');
const Account = lazily(() => import('./screens/Account'), 'Account');

interface Screen {
  path: string;
  label: string;
  adminOnly?: boolean;
  component: ComponentType;
}

export const SCREENS: Screen[] = [
  { path: '/', label: 'Overview', component: Overview },
  { path: '/connections', label: 'Connections', adminOnly: true, component: Connections },
  { path: '/integrations', label: 'Integrations', adminOnly: true, component: Integrations },
  { path: '/billing-sync', label: 'Billing sync', component: BillingSync },
  { path: '/payments', label: 'Payments', component: Payments },
  { path: '/customers', label: 'Customers', component: Customers },
  { path: '/reminders', label: 'Reminders', component: Reminders },
  { path: '/activity', label: 'Activity log', component: ActivityLog },
  { path: '/actions', label: 'Actions', component: Actions },
  { path: '/messages', label: 'Messages', component: Messages },
  { path: '/account', label: 'Account', component: Account },
];

export function App() {
  const { path } = useLocation();
  if (path === '/sign-in') return <SignIn />;
  if (path === '/set-password') return <SetPassword />;
  return <SignedIn path={path} />;
}

function SignedIn({ path }: { path: string }) {
  const queries = useQueryClient();
  const session = useQuery({ queryKey: ['session'], queryFn: () => call(api.GET('/v1/session')), retry: false, staleTime: Infinity });
  // The landing screen's figures are asked for beside the session, not after it: one round trip less before the
  // first screen is usable. A plain fetch, not the typed client: its 401 (signed out, or the second factor still to
  // come) must not fire the sign-out redirect, which is the session query's to decide; the Overview asks again then.
  useEffect(() => {
    if (path === '/') void queries.prefetchQuery({ queryKey: ['overview'], queryFn: async (): Promise<Answer<'/v1/overview', 'get'>> => {
      const res = await fetch('/v1/overview', { credentials: 'same-origin', headers: { accept: 'application/json' } });
      if (!res.ok) throw new ApiError(res.status, undefined);
      return res.json();
    } });
    // Only on the first render: later visits to Overview use the query as usual.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    const signedOut = () => {
      queries.clear();
      navigate(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
    };
    window.addEventListener(SIGNED_OUT_EVENT, signedOut);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, signedOut);
  }, [queries]);
  useEffect(() => {
    if (session.error && 'status' in session.error && session.error.status === 401) navigate(`/sign-in?next=${encodeURIComponent(location.pathname)}`, { replace: true });
  }, [session.error]);
  if (session.isPending) return <main className="center"><Loading what="your console" /></main>;
  if (session.error) return <main className="center"><ErrorState error={session.error} retry={() => session.refetch()} /></main>;
  setCsrfToken(session.data.csrfToken);
  // Password given, sign-in not finished: the session opens nothing else until the code (or the enrolment required).
  if (session.data.stage === 'second-factor') return <SecondFactor session={session.data} />;
  if (session.data.stage === 'enrolment') return <RequiredEnrolment session={session.data} />;
  return (
    <SessionContext.Provider value={session.data}>
      <Shell session={session.data} path={path} />
    </SessionContext.Provider>
  );
}

function Shell({ session, path }: { session: SessionView; path: string }) {
  const queries = useQueryClient();
  const screen = path.startsWith('/payments/') ? undefined : SCREENS.find((s) => s.path === path);
  const visible = SCREENS.filter((s) => !s.adminOnly || isAdmin(session));
  const signOut = async () => {
    await call(api.DELETE('/v1/session')).catch(() => undefined);
    queries.clear();
    navigate('/sign-in', { replace: true });
  };
  const Current = path.startsWith('/payments/') ? PaymentDetail : screen?.component;
  return (
    <div className="shell">
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <span className="brand">Settle</span>
        <span className="merchant">{session.merchant.name}</span>
        <span className="who">{session.user.name} <span className="muted">({session.user.platformAdmin ? 'Settle platform admin' : session.user.role})</span></span>
        <button type="button" className="secondary small" onClick={signOut}>Sign out</button>
      </header>
      <nav aria-label="Console" className="side">
        <ul>
          {visible.map((s) => (
            <li key={s.path}><Link to={s.path} aria-current={s.path === (path.startsWith('/payments/') ? '/payments' : path) ? 'page' : undefined}>{s.label}</Link></li>
          ))}
        </ul>
      </nav>
      <main id="main">
        {screen?.adminOnly && !isAdmin(session) ? (
          <section className="page"><h1 id="page-title" tabIndex={-1}>{screen.label}</h1><ErrorState error={new ApiError(403, undefined)} /></section>
        ) : Current ? (
          <Suspense fallback={<Loading what="the screen" />}><Current /></Suspense>
        ) : (
          <section className="page"><h1>Not found</h1><p>There is no such screen. <Link to="/">Go to the Overview</Link>.</p></section>
        )}
      </main>
    </div>
  );
}
