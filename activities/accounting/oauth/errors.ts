// Why a consent cannot complete. Each is a bad (or hostile) input, answered as problem+json with this reason, and
// nothing is stored for it (api/routes/oauth.ts maps them).
export type ConsentRefusal =
  | 'state-unknown' // never issued (or for another platform's callback)
  | 'state-expired' // issued more than 10 minutes ago
  | 'state-used' // a replay: the state completed (or failed) once already
  | 'access-denied' // the merchant pressed "Cancel" on the consent screen (error=access_denied)
  | 'consent-error' // the platform sent another error to the callback
  | 'code-refused' // the token endpoint refused the code (invalid_grant: used, expired, not ours)
  | 'no-tenant' // the consent opened no organisation/company
  | 'tenant-not-in-consent' // a pick naming a tenant this consent did not open
  | 'no-pending-consent' // nothing to pick from (expired, picked already, or another merchant's)
  | 'platform-not-configured'; // Settle has no app (client id) for this platform

export class ConsentRefused extends Error {
  constructor(readonly reason: ConsentRefusal, message: string) {
    super(message);
    this.name = 'ConsentRefused';
  }
}
