// `npm run rotate-keys`: after putting a new key first in SETTLE_ENCRYPTION_KEYS (`k2:…,k1:…`), re-encrypts every
// sealed value in DATABASE_URL under it and prints how many per column. Run it again at any time: it only touches
// values under an older key. Once it reports nothing stale, the older key can leave the keyring (after the
// workflows whose histories it encrypted have closed: Temporal payloads are not rewritten).
import { databaseEnv, encryptionEnv, exitOnConfigError, loadConfig } from '../lib/config';
import { parseKeyring } from '../lib/crypto/sealed-box';
import { createDb } from './database';
import { rotateSealedColumns } from './rotate-keys';

async function main() {
  const config = (() => {
    try {
      return loadConfig(databaseEnv.and(encryptionEnv));
    } catch (err) {
      return exitOnConfigError(err);
    }
  })();
  const keyring = parseKeyring(config.SETTLE_ENCRYPTION_KEYS);
  const db = createDb(config.DATABASE_URL, 1);
  try {
    const counts = await rotateSealedColumns(db, keyring);
    for (const c of counts) {
      process.stdout.write(`${`${c.table}.${c.column}`.padEnd(48)} stale ${c.stale}, re-encrypted ${c.reencrypted}${c.skipped ? `, changed meanwhile ${c.skipped}` : ''}\n`);
    }
    const total = counts.reduce((n, c) => n + c.reencrypted, 0);
    process.stdout.write(`re-encrypted ${total} value(s) under key ${keyring.currentKeyId}\n`);
  } finally {
    await db.destroy();
  }
}

void main().catch((err) => {
  process.stderr.write(`key rotation failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
