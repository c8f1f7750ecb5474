// People's passwords (payers, merchant users): argon2id hashes. A check against no account costs one verification
// too, so the answer's timing never tells whether an account exists.
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

/** True when `password` matches `hash`; with no hash (no account, or no password set yet) false, after as long. */
export async function passwordMatches(hash: string | null | undefined, password: string): Promise<boolean> {
  const ok = await argon2.verify(hash ?? (await decoyHash()), password);
  return ok && !!hash;
}

let decoy: Promise<string> | undefined;
const decoyHash = () => (decoy ??= hashPassword(randomBytes(16).toString('hex')));
