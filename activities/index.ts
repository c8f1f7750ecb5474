// All activities, built from the clients they need so that tests can hand in emulator-backed ones.
// Workflows see only the type: `import type * as activities from '../activities'`.
import type { Db } from '../db/database';
import { createRecordPayment } from './payments/record-payment';

export interface ActivityDeps {
  db: Db;
}

export function createActivities(deps: ActivityDeps) {
  return {
    recordPayment: createRecordPayment(deps.db),
  };
}

export type Activities = ReturnType<typeof createActivities>;
