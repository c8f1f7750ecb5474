// Payers: the people who pay a merchant on the Pay Now page. Only name, email and phone are kept, sealed; the
// email is found again through a blind index. Passwords are argon2id hashes, set from the welcome email's
// link (a single-use token stored as a hash). No card or bank data: only Stripe's customer id.
import { createHash, randomBytes } from 'node:crypto';
import { blindIndex, blindIndexCandidates } from '../lib/crypto/blind-index';
import { hashPassword, passwordMatches } from '../lib/crypto/passwords';
import { open, seal, type Keyring } from '../lib/crypto/sealed-box';
import { newId } from '../lib/ids';
import type { Db } from './database';
import type { Payer } from './schema';

export interface PayerDetails {
  name: string;
  email: string;
  phone?: string;
}

// A welcome link stays valid for a week.
const PASSWORD_TOKEN_TTL_MS = 7 * 24 * 3_600_000;

export class PayerAlreadyRegistered extends Error {}

const tokenHash = (token: string) => createHash('sha256').update(token).digest();

export function payerDetails(keyring: Keyring, payer: Payer): PayerDetails {
  return JSON.parse(open(keyring, payer.details_sealed, payer.id));
}

export async function findPayerByEmail(db: Db, keyring: Keyring, merchantId: string, email: string): Promise<Payer | undefined> {
  return db.selectFrom('payers').selectAll().where('merchant_id', '=', merchantId)
    .where('email_index', 'in', blindIndexCandidates(keyring, email)).executeTakeFirst();
}

export async function findPayer(db: Db, merchantId: string, payerId: string): Promise<Payer | undefined> {
  return db.selectFrom('payers').selectAll().where('merchant_id', '=', merchantId).where('id', '=', payerId).executeTakeFirst();
}

/** Registers a payer and issues the single-use token of the welcome email's set-password link. */
export async function registerPayer(db: Db, keyring: Keyring, merchantId: string, details: PayerDetails): Promise<{ payer: Payer; passwordToken: string }> {
  if (await findPayerByEmail(db, keyring, merchantId, details.email)) throw new PayerAlreadyRegistered('a payer with this email is already registered: log in instead');
  const id = newId('pyr');
  const kept: PayerDetails = { name: details.name, email: details.email.trim(), ...(details.phone ? { phone: details.phone } : {}) };
  const payer = await db.insertInto('payers')
    .values({ id, merchant_id: merchantId, email_index: blindIndex(keyring, details.email), details_sealed: seal(keyring, JSON.stringify(kept), id) })
    .onConflict((oc) => oc.constraint('payers_merchant_email').doNothing())
    .returningAll().executeTakeFirst();
  if (!payer) throw new PayerAlreadyRegistered('a payer with this email is already registered: log in instead');
  const passwordToken = randomBytes(32).toString('base64url');
  await db.insertInto('payer_password_tokens')
    .values({ token_hash: tokenHash(passwordToken), payer_id: id, expires_at: new Date(Date.now() + PASSWORD_TOKEN_TTL_MS) }).execute();
  return { payer, passwordToken };
}

/** Whether a welcome link's token can still set a password (unused, unexpired): the form is shown only then. */
export async function passwordTokenUsable(db: Db, token: string): Promise<boolean> {
  const row = await db.selectFrom('payer_password_tokens').select('payer_id')
    .where('token_hash', '=', tokenHash(token)).where('used_at', 'is', null).where('expires_at', '>', new Date()).executeTakeFirst();
  return row !== undefined;
}

/** Sets the password from a welcome link; the token works once. Returns the payer, or undefined for a bad token. */
export async function setPayerPassword(db: Db, token: string, password: string): Promise<Payer | undefined> {
  const hash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const used = await trx.updateTable('payer_password_tokens').set({ used_at: new Date() })
      .where('token_hash', '=', tokenHash(token)).where('used_at', 'is', null).where('expires_at', '>', new Date())
      .returning('payer_id').executeTakeFirst();
    if (!used) return undefined;
    return trx.updateTable('payers').set({ password_hash: hash }).where('id', '=', used.payer_id).returningAll().executeTakeFirst();
  });
}

/** The payer whose email and password these are, or undefined (same answer for unknown email and wrong password). */
export async function authenticatePayer(db: Db, keyring: Keyring, merchantId: string, email: string, password: string): Promise<Payer | undefined> {
  const payer = await findPayerByEmail(db, keyring, merchantId, email);
  return (await passwordMatches(payer?.password_hash, password)) ? payer : undefined;
}
