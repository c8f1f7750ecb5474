// The consent screen of an emulated platform: a real HTML page (a browser, or a test posting the same form, can
// use it) where the user picks the organisation(s) and allows or denies the app. "Allow" redirects to the app's
// redirect URI with a code and the state, "Deny" with error=access_denied, as Xero and Intuit do.
import { escapeHtml } from '../../lib/html';
import type { OAuthEmulator } from './oauth';
import type { EmulatorRequest, EmulatorResponse, EmulatorServer } from './server';

export interface ConsentScreen {
  /** Where the authorize endpoint is (GET shows the page, POST takes the decision). */
  path: string;
  /** The platform's name on the page. */
  platform: string;
  /** Xero lets a user connect several organisations at once; Intuit one company. */
  multiple: boolean;
  /** The organisations the user may pick from. */
  organisations(): { id: string; name: string }[];
  /** Extra parameters on the redirect after "Allow" (Intuit: realmId). */
  redirectExtras?(tenantIds: string[]): Record<string, string>;
}


interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
}

/** The authorize request's parameters, or a page saying what is wrong (never a redirect to an unchecked URI). */
function authorizeRequest(params: URLSearchParams): AuthorizeRequest | EmulatorResponse {
  const clientId = params.get('client_id') ?? '';
  const redirectUri = params.get('redirect_uri') ?? '';
  if (params.get('response_type') !== 'code' || !clientId || !/^https?:\/\//.test(redirectUri)) {
    return page(400, 'Invalid request', '<p>response_type=code, client_id and an http(s) redirect_uri are required.</p>');
  }
  return { clientId, redirectUri, scope: params.get('scope') ?? '', state: params.get('state') ?? '' };
}

function page(status: number, title: string, body: string): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}

function redirect(to: string, params: Record<string, string>): EmulatorResponse {
  const url = new URL(to);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return { status: 302, headers: { location: url.toString() } };
}

export function mountConsentScreen(server: EmulatorServer, oauth: OAuthEmulator, screen: ConsentScreen): void {
  server.route('GET', screen.path, (req) => {
    const request = authorizeRequest(req.query);
    if ('status' in request) return request;
    const organisations = screen.organisations();
    const hidden = (['client_id', 'redirect_uri', 'scope', 'state', 'response_type'] as const)
      .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(req.query.get(name) ?? '')}">`).join('');
    const choices = organisations.map((o, i) =>
      `<li><label><input type="${screen.multiple ? 'checkbox' : 'radio'}" name="tenant" value="${escapeHtml(o.id)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(o.name)}</label></li>`).join('');
    return page(200, `Connect to ${screen.platform}`, `
      <p><strong>${escapeHtml(request.clientId)}</strong> asks for access to: <code>${escapeHtml(request.scope)}</code></p>
      <form method="post" action="${escapeHtml(screen.path)}">${hidden}
        <fieldset><legend>Organisation${screen.multiple ? 's' : ''}</legend><ul>${choices}</ul></fieldset>
        <button type="submit" name="decision" value="allow">Allow access</button>
        <button type="submit" name="decision" value="deny">Cancel</button>
      </form>`);
  });

  server.route('POST', screen.path, (req: EmulatorRequest) => {
    // Read the raw form: several organisations arrive as repeated `tenant` fields.
    const form = new URLSearchParams(req.rawBody);
    const request = authorizeRequest(form);
    if ('status' in request) return request;
    if (form.get('decision') !== 'allow') return redirect(request.redirectUri, { error: 'access_denied', state: request.state });
    const known = new Set(screen.organisations().map((o) => o.id));
    const tenantIds = form.getAll('tenant').filter((id) => known.has(id));
    if (tenantIds.length === 0 || (!screen.multiple && tenantIds.length > 1)) {
      return page(400, 'Choose an organisation', '<p>Go back and choose the organisation to connect.</p>');
    }
    const code = oauth.authorize({ clientId: request.clientId, redirectUri: request.redirectUri, scope: request.scope, tenantIds });
    return redirect(request.redirectUri, { code, state: request.state, scope: request.scope, ...screen.redirectExtras?.(tenantIds) });
  });
}

/** What a test does instead of clicking: the consent screen's form, decided (tenants picked, allow or deny). */
export async function decideConsent(consentUrl: string, decision: { allow: boolean; tenantIds?: string[] }): Promise<string> {
  const url = new URL(consentUrl);
  const form = new URLSearchParams();
  for (const name of ['client_id', 'redirect_uri', 'scope', 'state', 'response_type']) form.set(name, url.searchParams.get(name) ?? '');
  for (const id of decision.tenantIds ?? []) form.append('tenant', id);
  form.set('decision', decision.allow ? 'allow' : 'deny');
  const response = await fetch(`${url.origin}${url.pathname}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), redirect: 'manual',
  });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`the consent screen answered ${response.status}: ${await response.text()}`);
  return location;
}
