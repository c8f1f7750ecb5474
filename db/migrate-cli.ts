// `npm run migrate`: applies pending migrations to DATABASE_URL (production deploys run this before the API).
import { databaseEnv, exitOnConfigError, loadConfig } from '../lib/config';
import { createDb, migrateToLatest } from './database';

async function main() {
  const config = (() => {
    try {
      return loadConfig(databaseEnv);
    } catch (err) {
      return exitOnConfigError(err);
    }
  })();
  const db = createDb(config.DATABASE_URL, 1);
  try {
    const applied = await migrateToLatest(db);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await db.destroy();
  }
}

void main().catch((err) => {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
