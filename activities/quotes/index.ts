// Quote payment activities, built from their clients (see deps.ts).
import { createNotificationActivities } from '../notifications/prepayment-processed';
import { createQuoteBookingActivities } from './booking';
import type { QuoteActivityDeps } from './deps';
import { createQuoteRecordActivities } from './records';
import { createSettlementActivities } from './settlement';
import { createStripeIntentActivities } from './stripe-intents';

export function createQuoteActivities(deps: QuoteActivityDeps) {
  return {
    ...createStripeIntentActivities(deps),
    ...createQuoteBookingActivities(deps),
    ...createQuoteRecordActivities(deps),
    ...createNotificationActivities(deps),
    ...createSettlementActivities(deps),
  };
}
