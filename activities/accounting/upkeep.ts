// The daily upkeep of accounting connections (workflows/connections, on a Temporal Schedule): warn merchants of
// grants about to lapse even when nothing uses them (a connection in use is checked on every use), and clear what
// consents leave behind (spent states; picks of organisations never made, whose grants are revoked at Xero).
import type { Db } from '../../db/database';
import type { Keyring } from '../../lib/crypto/sealed-box';
import type { Logger } from '../../lib/logger';
import type { ConnectionStore } from './connections';
import { endExpiredPendingConsents } from './oauth/consents';
import { deleteSpentStates } from './oauth/states';

export function createConnectionUpkeepActivities(deps: { db: Db; keyring: Keyring; connections: ConnectionStore; log: Logger }) {
  return {
    /** One Message per grant 30 days before its expiry (QuickBooks' rolling and hard expiries); answers how many were written now. */
    async warnOfExpiringGrants(): Promise<number> {
      return deps.connections.warnOfExpiringGrants();
    },
    async sweepConsents(): Promise<{ statesDeleted: number; pendingConsentsEnded: number }> {
      const statesDeleted = await deleteSpentStates(deps.db);
      const pendingConsentsEnded = await endExpiredPendingConsents({ db: deps.db, keyring: deps.keyring, log: deps.log, endpoints: deps.connections.endpoints });
      return { statesDeleted, pendingConsentsEnded };
    },
  };
}
