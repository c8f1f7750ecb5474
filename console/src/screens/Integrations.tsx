import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ApiError, call } from '../api/client';
import { ErrorState, Loading, messageOf, Page, Status } from '../ui';

type Method = 'card' | 'bank_debit';
const METHOD_LABELS: Record<Method, string> = { card: 'Card', bank_debit: 'Bank debit' };

export function Integrations() {
  return (
    <Page title="Integrations">
      <Cpq />
      <Stripe />
    </Page>
  );
}

function Cpq() {
  const queries = useQueryClient();
  const cpq = useQuery({ queryKey: ['cpq'], queryFn: () => call(api.GET('/v1/integrations/cpq')) });
  const enabledMethods = useQuery({ queryKey: ['payment-methods'], queryFn: () => call(api.GET('/v1/payment-methods')) });
  const [key, setKey] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [confirmRegenerate, setConfirmRegenerate] = useState(false);
  const fail = (err: unknown) => setNotice({ kind: 'error', text: messageOf(err) });
  const save = useMutation({
    mutationFn: (body: { enabled: boolean; allowedMethods: Method[] }) => call(api.PUT('/v1/integrations/cpq', { body })),
    // The box shows the choice at once; an error puts the saved state back.
    onMutate: (body) => queries.setQueryData(['cpq'], (old: typeof cpq.data) => (old ? { ...old, ...body } : old)),
    onError: (err) => {
      fail(err);
      return queries.invalidateQueries({ queryKey: ['cpq'] });
    },
    onSuccess: (data) => {
      queries.setQueryData(['cpq'], data);
      setNotice({ kind: 'ok', text: data.enabled ? 'ConnectWise Sell is enabled.' : 'ConnectWise Sell is disabled.' });
    },
  });
  const generate = useMutation({
    mutationFn: () => call(api.POST('/v1/integrations/cpq/api-key')),
    onSuccess: (data) => {
      setKey(data.apiKey);
      setConfirmRegenerate(false);
      setNotice({ kind: 'ok', text: 'A new key is ready: paste it into ConnectWise Sell. The previous key (if any) no longer works.' });
      return queries.invalidateQueries({ queryKey: ['cpq'] });
    },
    onError: fail,
  });
  const display = useMutation({ mutationFn: () => call(api.GET('/v1/integrations/cpq/api-key')), onSuccess: (data) => setKey(data.apiKey), onError: fail });
  const copy = async () => {
    if (!key) return;
    try {
      await navigator.clipboard.writeText(key);
      setNotice({ kind: 'ok', text: 'The key is copied.' });
    } catch {
      setNotice({ kind: 'error', text: 'Copying is not allowed here: select the key and copy it by hand.' });
    }
  };
  if (cpq.isPending) return <section className="card"><h2>ConnectWise Sell (CPQ)</h2><Loading what="the integration" /></section>;
  if (cpq.error) return <section className="card"><h2>ConnectWise Sell (CPQ)</h2><ErrorState error={cpq.error} retry={() => cpq.refetch()} /></section>;
  const c = cpq.data;
  const available = (enabledMethods.data?.methods ?? ['card']) as Method[];
  const toggleMethod = (m: Method, on: boolean) => save.mutate({ enabled: c.enabled, allowedMethods: on ? [...new Set([...c.allowedMethods, m])] : c.allowedMethods.filter((x) => x !== m) });
  return (
    <section className="card" aria-labelledby="cpq-title">
      <h2 id="cpq-title">ConnectWise Sell (CPQ)</h2>
      {notice && <div className={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>{notice.text}</div>}
      <label className="choice">
        <input type="checkbox" checked={c.enabled} disabled={save.isPending} onChange={(e) => save.mutate({ enabled: e.target.checked, allowedMethods: c.allowedMethods })} />
        Enable Accept and Pay from ConnectWise Sell quotes
      </label>
      <fieldset>
        <legend>Payment methods CPQ may offer</legend>
        {(Object.keys(METHOD_LABELS) as Method[]).map((m) => (
          <label key={m} className="choice">
            <input type="checkbox" checked={c.allowedMethods.includes(m)} disabled={save.isPending || !available.includes(m)} onChange={(e) => toggleMethod(m, e.target.checked)} />
            {METHOD_LABELS[m]}{!available.includes(m) && <span className="muted"> (not enabled for your account)</span>}
          </label>
        ))}
      </fieldset>
      <h3>API key</h3>
      <p className="muted">ConnectWise Sell calls Settle with this key. Generate it, then paste it into Sell's payment settings.</p>
      <div className="button-row">
        {!c.hasApiKey ? (
          <button type="button" onClick={() => generate.mutate()} disabled={generate.isPending}>Generate</button>
        ) : (
          <>
            <button type="button" onClick={() => display.mutate()} disabled={display.isPending}>Display</button>
            {confirmRegenerate ? (
              <>
                <button type="button" className="danger" onClick={() => generate.mutate()} disabled={generate.isPending}>Regenerate: the old key stops working</button>
                <button type="button" className="secondary" onClick={() => setConfirmRegenerate(false)}>Keep the current key</button>
              </>
            ) : (
              <button type="button" className="secondary" onClick={() => setConfirmRegenerate(true)}>Regenerate</button>
            )}
          </>
        )}
      </div>
      {key && (
        <div className="key-box">
          <label htmlFor="cpq-key">Your ConnectWise Sell key</label>
          <div className="inline">
            <input id="cpq-key" readOnly value={key} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" onClick={copy}>Copy</button>
          </div>
        </div>
      )}
    </section>
  );
}

const REQUIREMENT_LABELS: Record<string, string> = {
  external_account: 'a bank account for payouts', 'business_profile.url': 'your website', 'business_profile.mcc': 'your business category',
  'tos_acceptance.date': "acceptance of Stripe's terms", 'tos_acceptance.ip': "acceptance of Stripe's terms",
};
const requirementLabel = (r: string) => REQUIREMENT_LABELS[r] ?? r.replace(/[._]/g, ' ');

function Stripe() {
  const webhook = useQuery({ queryKey: ['stripe-webhook'], queryFn: () => call(api.GET('/v1/integrations/stripe/webhook')) });
  // 404: no connected account yet (the first "continue" creates it).
  const account = useQuery({ queryKey: ['stripe-account'], queryFn: async () => {
    try {
      return await call(api.GET('/v1/integrations/stripe/account'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  } });
  const onboard = useMutation({
    mutationFn: () => call(api.POST('/v1/integrations/stripe/account')),
    // Stripe's hosted onboarding; it sends the browser back to Settle, which links back here.
    onSuccess: (d) => window.location.assign(d.onboardingUrl),
  });
  const a = account.data;
  const ready = !!a && a.chargesEnabled && a.requirements.length === 0;
  return (
    <section className="card" aria-labelledby="stripe-title">
      <h2 id="stripe-title">Stripe</h2>
      <p className="muted">Payments go into your own Stripe account (Stripe Connect). Stripe asks for your business and bank details before it enables payments.</p>
      {account.isPending ? <Loading what="your Stripe account" /> : account.error ? <ErrorState error={account.error} retry={() => account.refetch()} /> : (
        <>
          {!a ? (
            <p id="stripe-state">No Stripe account yet: set one up to take card and bank debit payments.</p>
          ) : (
            <dl className="facts" id="stripe-state" aria-label="Stripe account">
              <dt>Account</dt><dd><code>{a.accountId}</code></dd>
              <dt>Onboarding</dt><dd><Status value={ready ? 'complete' : a.detailsSubmitted ? 'in-review' : 'incomplete'} /></dd>
              <dt>Payments</dt><dd>{a.chargesEnabled ? 'enabled' : 'not enabled yet'}</dd>
              <dt>Payouts</dt><dd>{a.payoutsEnabled ? 'enabled' : 'not enabled yet'}</dd>
              {a.requirements.length > 0 && <><dt>Stripe still needs</dt><dd><ul className="plain">{[...new Set(a.requirements.map(requirementLabel))].map((r) => <li key={r}>{r}</li>)}</ul></dd></>}
              {a.disabledReason && <><dt>Why payments are off</dt><dd>{a.disabledReason.replace(/[._]/g, ' ')}</dd></>}
            </dl>
          )}
          {onboard.error && <div className="notice error" role="alert">{messageOf(onboard.error)}</div>}
          {!ready && (
            <button type="button" onClick={() => onboard.mutate()} disabled={onboard.isPending || onboard.isSuccess}>
              {onboard.isPending || onboard.isSuccess ? 'Opening Stripe…' : a ? 'Continue onboarding with Stripe' : 'Set up Stripe payments'}
            </button>
          )}
        </>
      )}
      {webhook.isPending ? <Loading what="the webhook" /> : webhook.error ? <ErrorState error={webhook.error} /> : (
        <p>Webhook endpoint: <code>{webhook.data.url}</code> — {webhook.data.configured ? 'signing secret stored.' : 'no signing secret stored yet.'}</p>
      )}
    </section>
  );
}
