// Payment upload activities (BPAY imports, customers, nightly upload), built from their clients (see deps.ts).
import { createCustomerMatchingActivities } from './customers';
import type { BpayActivityDeps } from './deps';
import { createBpayImportActivities } from './import';
import { createBpayNightActivities } from './night';

export function createBpayActivities(deps: BpayActivityDeps) {
  return {
    ...createCustomerMatchingActivities(deps),
    ...createBpayNightActivities(deps),
    ...createBpayImportActivities(deps),
  };
}
