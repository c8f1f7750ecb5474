// The `state` of a consent: random, single-use, bound to the merchant, role and platform that asked, valid for
// 10 minutes, and stored only as its sha256 (the state is a bearer secret until it is used).
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../../db/database';
import type { AccountingRole } from '../../../lib/task-queues';
import type { PlatformName } from '../platform';
import { ConsentRefused } from './errors';

export const STATE_TTL_MS = 10 * 60_000;
/**
 * A state's row is kept this long past its expiry, used or not, so a replayed callback is told it was completed (or
 * expired) rather than unknown; then the daily upkeep deletes it (workflows/connections).
 */
export const STATE_KEPT_AFTER_EXPIRY_MS = 86_400_000;

export interface ConsentStateOwner {
  merchantId: string;
  role: AccountingRole;
  platform: PlatformName;
}

const hash = (state: string) => createHash('sha256').update(state).digest('hex');

export async function issueState(db: Db, owner: ConsentStateOwner, now = new Date()): Promise<string> {
  const state = randomBytes(32).toString('base64url');
  await db.insertInto('oauth_states').values({
    state_hash: hash(state), merchant_id: owner.merchantId, role: owner.role, platform: owner.platform,
    expires_at: new Date(now.getTime() + STATE_TTL_MS),
  }).execute();
  return state;
}

/** The upkeep: states past their expiry by more than a day go, used or not (they answer nothing any more). */
export async function deleteSpentStates(db: Db, now = new Date()): Promise<number> {
  const deleted = await db.deleteFrom('oauth_states').where('expires_at', '<', new Date(now.getTime() - STATE_KEPT_AFTER_EXPIRY_MS)).executeTakeFirst();
  return Number(deleted.numDeletedRows);
}

/**
 * Uses a state up: answers whose consent it is, or refuses. A state is used once whatever happens next (a refused
 * code, a denied consent): the merchant starts again with a new one.
 */
export async function consumeState(db: Db, state: string | undefined, platform: PlatformName): Promise<ConsentStateOwner> {
  if (!state) throw new ConsentRefused('state-unknown', 'the callback carries no state');
  const used = await db.updateTable('oauth_states').set({ used_at: new Date() })
    .where('state_hash', '=', hash(state)).where('platform', '=', platform).where('used_at', 'is', null)
    .returningAll().executeTakeFirst();
  if (!used) {
    const seen = await db.selectFrom('oauth_states').select('used_at').where('state_hash', '=', hash(state)).where('platform', '=', platform).executeTakeFirst();
    throw seen
      ? new ConsentRefused('state-used', 'this consent was completed already; start again from Settle')
      : new ConsentRefused('state-unknown', 'Settle did not start this consent');
  }
  if (used.expires_at.getTime() <= Date.now()) throw new ConsentRefused('state-expired', 'this consent took longer than 10 minutes; start again from Settle');
  return { merchantId: used.merchant_id, role: used.role, platform: used.platform };
}
