// The accounting services every process shares: connections (tokens) and rate budgets, from configuration.
import type { Db } from '../../db/database';
import type { AccountingConfig } from '../../lib/config';
import { parseKeyring } from '../../lib/crypto/sealed-box';
import type { MailWaker } from '../../lib/mail/relay';
import { ConnectionStore, type PlatformEndpoints } from './connections';
import { REAL_TIME, type BudgetClock } from './limits';
import { RateBudget } from './rate-budget';

export interface AccountingServices {
  connections: ConnectionStore;
  budget: RateBudget;
}

export function platformEndpoints(config: AccountingConfig): PlatformEndpoints {
  return {
    xero: {
      apiBase: config.XERO_API_BASE,
      tokenUrl: config.XERO_TOKEN_URL,
      clientId: config.XERO_CLIENT_ID,
      clientSecret: config.XERO_CLIENT_SECRET,
      authorizeUrl: config.XERO_AUTHORIZE_URL,
      revocationUrl: config.XERO_REVOCATION_URL,
      connectionsUrl: config.XERO_CONNECTIONS_URL,
      scopes: config.XERO_SCOPES,
    },
    quickbooks: {
      apiBase: config.QUICKBOOKS_API_BASE,
      tokenUrl: config.QUICKBOOKS_TOKEN_URL,
      clientId: config.QUICKBOOKS_CLIENT_ID,
      clientSecret: config.QUICKBOOKS_CLIENT_SECRET,
      authorizeUrl: config.QUICKBOOKS_AUTHORIZE_URL,
      revocationUrl: config.QUICKBOOKS_REVOCATION_URL,
      scopes: config.QUICKBOOKS_SCOPES,
    },
  };
}

export function createAccountingServices(opts: {
  db: Db;
  encryptionKeys: string;
  endpoints: PlatformEndpoints;
  clock?: BudgetClock;
  /** Wakes the mail relay after a connection's reconnection email is committed. */
  wakeMail?: MailWaker;
}): AccountingServices {
  return {
    connections: new ConnectionStore(opts.db, parseKeyring(opts.encryptionKeys), opts.endpoints, opts.wakeMail),
    budget: new RateBudget(opts.db, { clock: opts.clock ?? REAL_TIME }),
  };
}
