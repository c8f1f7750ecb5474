// The merchant console's users and their sessions. Users are created by a platform admin (a merchant's first admin)
// or invited by a merchant admin; either way they get a single-use set-password link (INVITATION_TTL_MS). Sessions are
// server-side: the cookie holds a random id, this table only its hash; a session ends after SESSION_IDLE_MS without a
// request, after SESSION_MAX_MS in any case, or at sign-out.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { blindIndex, blindIndexCandidates } from '../lib/crypto/blind-index';
import { hashPassword, passwordMatches } from '../lib/crypto/passwords';
import { open, seal, type Keyring } from '../lib/crypto/sealed-box';
import { newId } from '../lib/ids';
import type { Db } from './database';
import type { MerchantUser, MerchantUserRole, SessionStage } from './schema';

export const INVITATION_TTL_MS = 7 * 24 * 3_600_000;
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_MAX_MS = 12 * 3_600_000;
/** last_seen_at is written at most this often: a page of parallel requests is one write, not twenty. */
const TOUCH_EVERY_MS = 60_000;

export interface MerchantUserDetails {
  email: string;
  name: string;
}

export class MerchantUserExists extends Error {}

const sha256 = (value: string) => createHash('sha256').update(value).digest();
const secret = () => randomBytes(32).toString('base64url');

export function merchantUserDetails(keyring: Keyring, user: MerchantUser): MerchantUserDetails {
  return JSON.parse(open(keyring, user.details_sealed, user.id));
}

export async function findMerchantUserByEmail(db: Db, keyring: Keyring, email: string): Promise<MerchantUser | undefined> {
  return db.selectFrom('merchant_users').selectAll().where('email_index', 'in', blindIndexCandidates(keyring, email)).executeTakeFirst();
}

export async function listMerchantUsers(db: Db, merchantId: string): Promise<MerchantUser[]> {
  return db.selectFrom('merchant_users').selectAll().where('merchant_id', '=', merchantId).orderBy('created_at').orderBy('id').execute();
}

/**
 * Creates a user without a password and the token of their invitation's set-password link. Run it in the transaction
 * that queues the invitation email (api/routes/console-users.ts), so neither exists without the other.
 */
export async function createMerchantUser(trx: Db, keyring: Keyring, merchantId: string, user: MerchantUserDetails & { role: MerchantUserRole; platformAdmin?: boolean }):
  Promise<{ user: MerchantUser; invitationToken: string }> {
  const id = newId('usr');
  const details: MerchantUserDetails = { email: user.email.trim(), name: user.name.trim() };
  const created = await trx.insertInto('merchant_users')
    .values({ id, merchant_id: merchantId, email_index: blindIndex(keyring, details.email), details_sealed: seal(keyring, JSON.stringify(details), id), role: user.role,
      platform_admin: user.platformAdmin ?? false })
    .onConflict((oc) => oc.column('email_index').doNothing())
    .returningAll().executeTakeFirst();
  if (!created) throw new MerchantUserExists('a console user with this email already exists');
  const invitationToken = secret();
  await trx.insertInto('merchant_user_tokens')
    .values({ token_hash: sha256(invitationToken), user_id: id, expires_at: new Date(Date.now() + INVITATION_TTL_MS) }).execute();
  return { user: created, invitationToken };
}

/** Sets the password from an invitation link; the token works once. Undefined for an unknown, used or expired token. */
export async function setMerchantUserPassword(db: Db, token: string, password: string): Promise<MerchantUser | undefined> {
  const hash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const used = await trx.updateTable('merchant_user_tokens').set({ used_at: new Date() })
      .where('token_hash', '=', sha256(token)).where('used_at', 'is', null).where('expires_at', '>', new Date())
      .returning('user_id').executeTakeFirst();
    if (!used) return undefined;
    // A new password ends every session opened with the old one.
    await trx.deleteFrom('merchant_sessions').where('user_id', '=', used.user_id).execute();
    return trx.updateTable('merchant_users').set({ password_hash: hash }).where('id', '=', used.user_id).returningAll().executeTakeFirst();
  });
}

/** The user whose email and password these are, or undefined (same answer, same time, for an unknown email). */
export async function authenticateMerchantUser(db: Db, keyring: Keyring, email: string, password: string): Promise<MerchantUser | undefined> {
  const user = await findMerchantUserByEmail(db, keyring, email);
  return (await passwordMatches(user?.password_hash, password)) ? user : undefined;
}

export interface NewSession {
  /** Goes in the cookie only. */
  sessionId: string;
  expiresAt: Date;
}

export async function openSession(db: Db, userId: string, stage: SessionStage = 'signed-in'): Promise<NewSession> {
  const sessionId = secret();
  const expiresAt = new Date(Date.now() + SESSION_MAX_MS);
  await db.insertInto('merchant_sessions').values({ id_hash: sha256(sessionId), user_id: userId, expires_at: expiresAt, stage }).execute();
  return { sessionId, expiresAt };
}

export interface SessionState {
  user: MerchantUser;
  /** Only 'signed-in' opens merchant routes; the others only finish signing in (db/console-two-factor.ts). */
  stage: SessionStage;
  codeFailures: number;
}

/** The live session (not idle too long, not past its end) at whatever stage, or undefined; notes the activity. */
export async function sessionState(db: Db, sessionId: string, idleMs = SESSION_IDLE_MS): Promise<SessionState | undefined> {
  const row = await db.selectFrom('merchant_sessions as s').innerJoin('merchant_users as u', 'u.id', 's.user_id')
    .selectAll('u').select(['s.last_seen_at', 's.stage', 's.code_failures'])
    .where('s.id_hash', '=', sha256(sessionId))
    .where('s.expires_at', '>', sql<Date>`now()`)
    .where('s.last_seen_at', '>', sql<Date>`now() - ${`${idleMs} milliseconds`}::interval`)
    .executeTakeFirst();
  if (!row) return undefined;
  if (Date.now() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
    await db.updateTable('merchant_sessions').set({ last_seen_at: sql<Date>`now()` }).where('id_hash', '=', sha256(sessionId)).execute();
  }
  const { last_seen_at: _seen, stage, code_failures: codeFailures, ...user } = row;
  return { user, stage, codeFailures };
}

/** Moves a session to another stage (enrolment done); false when it ended meanwhile. */
export async function setSessionStage(db: Db, sessionId: string, stage: SessionStage): Promise<boolean> {
  const done = await db.updateTable('merchant_sessions').set({ stage }).where('id_hash', '=', sha256(sessionId)).executeTakeFirst();
  return done.numUpdatedRows > 0n;
}

/** Counts a wrong code against the session; answers how many it has had. */
export async function countCodeFailure(db: Db, sessionId: string): Promise<number> {
  const row = await db.updateTable('merchant_sessions').set((eb) => ({ code_failures: eb('code_failures', '+', 1) }))
    .where('id_hash', '=', sha256(sessionId)).returning('code_failures').executeTakeFirst();
  return row?.code_failures ?? Number.POSITIVE_INFINITY;
}

export async function closeSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom('merchant_sessions').where('id_hash', '=', sha256(sessionId)).execute();
}
