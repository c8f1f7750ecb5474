// Two-factor sign-in of console users: an authenticator app's TOTP secret (sealed, lib/crypto/totp.ts for the codes),
// enrolled in two steps (a pending secret, confirmed by a first code so a mistyped scan never locks anyone out), ten
// single-use recovery codes stored as hashes, and the last time step used so a code seen over a shoulder or in a
// proxy's log cannot be played again. The merchant's setting that makes it mandatory lives on the merchant.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { open, seal, type Keyring } from '../lib/crypto/sealed-box';
import { base32Decode, base32Encode, newRecoveryCode, newTotpSecret, normalizeRecoveryCode, verifyTotp } from '../lib/crypto/totp';
import type { Db } from './database';
import type { MerchantUser } from './schema';

export const RECOVERY_CODE_COUNT = 10;

const nowSeconds = () => Date.now() / 1000;
/** What the sealed TOTP secrets are bound to (key rotation re-seals them to the same places). */
export const secretPlace = (userId: string) => `${userId}:totp`;
export const pendingPlace = (userId: string) => `${userId}:totp-pending`;
const recoveryHash = (userId: string, code: string) => createHash('sha256').update(`settle recovery v1\0${userId}\0${code}`).digest();

export const hasTwoFactor = (user: MerchantUser) => user.totp_secret_sealed !== null;

/** A new pending secret for the user (replacing one not confirmed); the base32 text goes to the app, once. */
export async function startEnrolment(db: Db, keyring: Keyring, userId: string): Promise<string> {
  const secret = base32Encode(newTotpSecret());
  await db.updateTable('merchant_users').set({ totp_pending_sealed: seal(keyring, secret, pendingPlace(userId)) }).where('id', '=', userId).execute();
  return secret;
}

/**
 * Confirms the pending secret with a code of it: two-factor sign-in is on from then, and the ten recovery codes are
 * answered (their only showing; any earlier ones stop working). Undefined when there is no pending secret or the code
 * is wrong.
 */
export async function confirmEnrolment(db: Db, keyring: Keyring, userId: string, code: string, at = nowSeconds()): Promise<string[] | undefined> {
  return db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('merchant_users').select(['totp_pending_sealed']).where('id', '=', userId).forUpdate().executeTakeFirst();
    if (!user?.totp_pending_sealed) return undefined;
    const secret = open(keyring, user.totp_pending_sealed, pendingPlace(userId));
    const step = verifyTotp(base32Decode(secret), code, at);
    if (step === undefined) return undefined;
    await trx.updateTable('merchant_users')
      .set({ totp_secret_sealed: seal(keyring, secret, secretPlace(userId)), totp_pending_sealed: null, totp_last_step: step })
      .where('id', '=', userId).execute();
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await trx.deleteFrom('merchant_user_recovery_codes').where('user_id', '=', userId).execute();
    await trx.insertInto('merchant_user_recovery_codes').values(codes.map((c) => ({ user_id: userId, code_hash: recoveryHash(userId, c) }))).execute();
    return codes;
  });
}

/**
 * Checks the second factor of a sign-in: a code of the app (six digits; each time step accepted once) or an unused
 * recovery code (then used up). Answers which one it was, or undefined.
 */
export async function verifySecondFactor(db: Db, keyring: Keyring, user: MerchantUser, code: string, at = nowSeconds()): Promise<'app' | 'recovery-code' | undefined> {
  if (!user.totp_secret_sealed) return undefined;
  if (/^\s*\d{3}\s?\d{3}\s*$/.test(code)) {
    const secret = base32Decode(open(keyring, user.totp_secret_sealed, secretPlace(user.id)));
    const current = await db.selectFrom('merchant_users').select('totp_last_step').where('id', '=', user.id).executeTakeFirst();
    const step = verifyTotp(secret, code, at, { afterStep: current?.totp_last_step ?? undefined });
    if (step === undefined) return undefined;
    // Taken only if no other request took this step (or a later one) meanwhile: two tabs cannot both use one code.
    const taken = await db.updateTable('merchant_users').set({ totp_last_step: step }).where('id', '=', user.id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)])).executeTakeFirst();
    return taken.numUpdatedRows > 0n ? 'app' : undefined;
  }
  const normal = normalizeRecoveryCode(code);
  if (!normal) return undefined;
  const used = await db.updateTable('merchant_user_recovery_codes').set({ used_at: sql<Date>`now()` })
    .where('user_id', '=', user.id).where('code_hash', '=', recoveryHash(user.id, normal)).where('used_at', 'is', null).executeTakeFirst();
  return used.numUpdatedRows > 0n ? 'recovery-code' : undefined;
}

export async function recoveryCodesLeft(db: Db, userId: string): Promise<number> {
  const row = await db.selectFrom('merchant_user_recovery_codes').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function twoFactorRequired(db: Db, merchantId: string): Promise<boolean> {
  const row = await db.selectFrom('merchants').select('console_two_factor_required').where('id', '=', merchantId).executeTakeFirst();
  return row?.console_two_factor_required ?? false;
}

export async function setTwoFactorRequired(db: Db, merchantId: string, required: boolean): Promise<void> {
  await db.updateTable('merchants').set({ console_two_factor_required: required }).where('id', '=', merchantId).execute();
}
