// Stripe Connect: a platform's connected accounts (`POST /v1/accounts` with controller properties, or a legacy
// `type`), reading one (`GET /v1/accounts/{id}`, or `GET /v1/account` on the account a `Stripe-Account` header
// names), and Account Links to Stripe's hosted onboarding. A link is single-use and lives 300 seconds: opening it
// shows the onboarding page (a real HTML form a browser or a test can submit); opening it again, or after it
// expired, redirects to the link's `refresh_url`, where the platform mints a new one. Submitting the page completes
// the account (details submitted, charges and payouts enabled, nothing more due), sends the connected account's
// `account.updated` to Connect endpoints, and redirects to `return_url`.
import { randomBytes } from 'node:crypto';
import { escapeHtml } from '../../lib/html';
import type { EmulatorResponse, EmulatorServer } from '../support/server';
import { invalidRequest, noSuch } from './errors';
import { allowOnly, metadataOf, optionalEnum, optionalString, requiredString, type Params } from './form';
import { api, emit, type Ctx } from './routes';
import { newId, nowSeconds, StripeAccount, type StripeAccountObject } from './state';

/** What Stripe asks of a fresh account before it can take charges and receive payouts. */
const ONBOARDING_REQUIREMENTS = ['business_profile.mcc', 'business_profile.url', 'external_account', 'representative.first_name', 'representative.last_name', 'tos_acceptance.date', 'tos_acceptance.ip'];

export const ACCOUNT_LINK_LIFETIME_S = 300;

interface AccountLinkRecord {
  account: StripeAccount;
  refreshUrl: string;
  returnUrl: string;
  expiresAt: number;
  opened: boolean;
  /** The opened page's form token: only the page the link showed can complete the account. */
  formToken: string;
}

function nested(params: Params, key: string): Params {
  const value = params[key];
  if (value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest(`Invalid hash: ${key}`, key);
  return value;
}

function httpUrl(params: Params, key: string): string {
  const value = requiredString(params, key);
  if (!/^https?:\/\/\S+$/.test(value)) throw invalidRequest(`Not a valid URL: ${key}`, key, 'url_invalid');
  return value;
}

function newAccountObject(params: Params): StripeAccountObject {
  allowOnly(params, ['type', 'controller', 'country', 'email', 'business_profile', 'metadata', 'default_currency', 'capabilities']);
  const controller = nested(params, 'controller');
  const type = optionalEnum(params, 'type', ['standard', 'express', 'custom'] as const);
  if (type && Object.keys(controller).length) throw invalidRequest('You cannot pass `type` together with `controller`.', 'type');
  const feesPayer = optionalEnum(nested(controller, 'fees'), 'payer', ['account', 'application'] as const) ?? (type === 'standard' || !type ? 'account' : 'application');
  const losses = optionalEnum(nested(controller, 'losses'), 'payments', ['stripe', 'application'] as const) ?? 'stripe';
  if (losses === 'application' && feesPayer !== 'application') {
    throw invalidRequest('controller[losses][payments]=application requires controller[fees][payer]=application.', 'controller[losses][payments]');
  }
  const dashboard = optionalEnum(nested(controller, 'stripe_dashboard'), 'type', ['full', 'express', 'none'] as const)
    ?? (type === 'express' ? 'express' : type === 'custom' ? 'none' : 'full');
  const collection = optionalEnum(controller, 'requirement_collection', ['stripe', 'application'] as const) ?? 'stripe';
  const profile = nested(params, 'business_profile');
  const country = (optionalString(params, 'country') ?? 'US').toUpperCase();
  return {
    id: newId('acct', 16), object: 'account', created: nowSeconds(), type: type ?? (dashboard === 'full' ? 'standard' : 'none'),
    controller: { type: 'application', is_controller: true, fees: { payer: feesPayer }, losses: { payments: losses }, requirement_collection: collection, stripe_dashboard: { type: dashboard } },
    country, default_currency: (optionalString(params, 'default_currency') ?? (country === 'AU' ? 'aud' : 'usd')).toLowerCase(),
    email: optionalString(params, 'email') ?? null,
    business_profile: { name: optionalString(profile, 'name') ?? null, url: optionalString(profile, 'url') ?? null },
    details_submitted: false, charges_enabled: false, payouts_enabled: false,
    requirements: { currently_due: [...ONBOARDING_REQUIREMENTS], eventually_due: [...ONBOARDING_REQUIREMENTS], past_due: [], pending_verification: [], disabled_reason: 'requirements.past_due', current_deadline: null },
    metadata: metadataOf(params),
  };
}

function page(status: number, title: string, body: string): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}

const redirect = (location: string): EmulatorResponse => ({ status: 302, headers: { location } });

/** The account finished onboarding: what Stripe shows once its checks pass, and the event saying so. */
export function completeOnboarding(ctx: Ctx, account: StripeAccount): void {
  const profile = account.profile!;
  if (profile.charges_enabled && profile.details_submitted && profile.payouts_enabled) return;
  const previous = { details_submitted: profile.details_submitted, charges_enabled: profile.charges_enabled, payouts_enabled: profile.payouts_enabled, requirements: structuredClone(profile.requirements) };
  Object.assign(profile, {
    details_submitted: true, charges_enabled: true, payouts_enabled: true,
    requirements: { currently_due: [], eventually_due: [], past_due: [], pending_verification: [], disabled_reason: null, current_deadline: null },
  });
  emit(ctx, account, 'account.updated', profile, account.id, previous);
}

/** Stripe asks for more later (a verification lapsed): charges are disabled until it is given, `account.updated` says so. */
export function requireMore(ctx: Ctx, account: StripeAccount, fields: string[]): void {
  const profile = account.profile!;
  const previous = { charges_enabled: profile.charges_enabled, requirements: structuredClone(profile.requirements) };
  Object.assign(profile, {
    charges_enabled: false,
    requirements: { ...profile.requirements, currently_due: [...fields], past_due: [...fields], disabled_reason: 'requirements.past_due' },
  });
  emit(ctx, account, 'account.updated', profile, account.id, previous);
}

export function registerConnectRoutes(server: EmulatorServer, ctx: Ctx): void {
  const links = new Map<string, AccountLinkRecord>();

  api(server, ctx, 'POST', '/v1/accounts', ({ account, params }) => {
    if (account.platform) throw invalidRequest('A connected account cannot create connected accounts of its own.');
    const profile = newAccountObject(params);
    account.connected.set(profile.id, new StripeAccount(profile.id, { platform: account, profile }));
    return profile;
  });

  api(server, ctx, 'GET', '/v1/accounts/:id', ({ req, platform, params }) => {
    allowOnly(params, []);
    const connected = platform.connected.get(req.params.id);
    if (!connected) throw noSuch('account', req.params.id);
    return connected.profile!;
  });

  // The account of the call: a connected account's own profile with `Stripe-Account`, else the platform's.
  api(server, ctx, 'GET', '/v1/account', ({ account, params }) => {
    allowOnly(params, []);
    return account.profile ?? {
      id: account.id, object: 'account', type: 'standard', details_submitted: true, charges_enabled: true, payouts_enabled: true, country: 'US', default_currency: 'usd',
    };
  });

  api(server, ctx, 'POST', '/v1/account_links', ({ account, params }) => {
    allowOnly(params, ['account', 'type', 'refresh_url', 'return_url', 'collect', 'collection_options']);
    if (account.platform) throw invalidRequest('Account links are created by the platform.');
    const id = requiredString(params, 'account');
    const connected = account.connected.get(id);
    if (!connected) throw noSuch('account', id, 'account');
    const type = requiredString(params, 'type');
    if (type !== 'account_onboarding' && type !== 'account_update') throw invalidRequest(`Invalid type: ${type}`, 'type');
    const refreshUrl = httpUrl(params, 'refresh_url');
    const returnUrl = httpUrl(params, 'return_url');
    const created = nowSeconds();
    const token = randomBytes(16).toString('hex');
    links.set(token, { account: connected, refreshUrl, returnUrl, expiresAt: created + ACCOUNT_LINK_LIFETIME_S, opened: false, formToken: randomBytes(16).toString('hex') });
    return { object: 'account_link', created, expires_at: created + ACCOUNT_LINK_LIFETIME_S, url: `${ctx.baseUrl()}/_emulator/connect/onboarding/${token}` };
  });

  // The hosted onboarding page (Stripe's connect.stripe.com/setup/…): never authenticated, as a browser opens it.
  server.route('GET', '/_emulator/connect/onboarding/:token', (req) => {
    const link = links.get(req.params.token);
    if (!link) return page(404, 'This link is not valid', '<p>Ask the platform for a new onboarding link.</p>');
    if (link.opened || nowSeconds() > link.expiresAt) return redirect(link.refreshUrl);
    link.opened = true;
    const profile = link.account.profile!;
    const due = profile.requirements.currently_due.map((r) => `<li><code>${escapeHtml(r)}</code></li>`).join('');
    return page(200, `Set up payments for ${profile.business_profile.name ?? profile.id}`, `
      <p>Stripe (emulated) onboarding for <code>${escapeHtml(profile.id)}</code>. Stripe still needs:</p><ul>${due || '<li>nothing</li>'}</ul>
      <form method="post" action="/_emulator/connect/onboarding/${escapeHtml(req.params.token)}">
        <input type="hidden" name="form_token" value="${escapeHtml(link.formToken)}">
        <button type="submit" name="decision" value="submit">Agree and submit</button>
        <button type="submit" name="decision" value="later">Save for later</button>
      </form>`);
  });

  server.route('POST', '/_emulator/connect/onboarding/:token', (req) => {
    const link = links.get(req.params.token);
    const form = new URLSearchParams(req.rawBody);
    if (!link || !link.opened || form.get('form_token') !== link.formToken) return page(400, 'This form is not valid', '<p>Open the onboarding link again.</p>');
    links.delete(req.params.token);
    if (form.get('decision') === 'submit') completeOnboarding(ctx, link.account);
    return redirect(link.returnUrl);
  });
}

/** What a test or the sandbox does instead of clicking: open an Account Link and submit its page; answers where Stripe sent the browser. */
export async function completeAccountLink(url: string, decision: 'submit' | 'later' = 'submit'): Promise<string> {
  const opened = await fetch(url, { redirect: 'manual' });
  const html = await opened.text();
  if (opened.status === 302) return opened.headers.get('location')!;
  const token = /name="form_token" value="([0-9a-f]+)"/.exec(html)?.[1];
  if (opened.status !== 200 || !token) throw new Error(`the onboarding page answered ${opened.status}`);
  const submitted = await fetch(url, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ form_token: token, decision }).toString(),
  });
  const location = submitted.headers.get('location');
  if (submitted.status !== 302 || !location) throw new Error(`the onboarding page refused the form: ${submitted.status}`);
  return location;
}
