// Custom search attributes: what ops type into the Temporal Web UI to find a money movement.
// Workflow-safe (only @temporalio/common). Registered on the dev server at start and by the
// operator on a real cluster (see README).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SettleMerchantId = defineSearchAttributeKey('SettleMerchantId', SearchAttributeType.KEYWORD);
export const SettlePaymentId = defineSearchAttributeKey('SettlePaymentId', SearchAttributeType.KEYWORD);
export const SettleStatus = defineSearchAttributeKey('SettleStatus', SearchAttributeType.KEYWORD);
export const SettleAmount = defineSearchAttributeKey('SettleAmount', SearchAttributeType.DOUBLE);
export const SettleQuoteId = defineSearchAttributeKey('SettleQuoteId', SearchAttributeType.KEYWORD);
export const SettlePayerId = defineSearchAttributeKey('SettlePayerId', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [SettleMerchantId, SettlePaymentId, SettleStatus, SettleAmount, SettleQuoteId, SettlePayerId];

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function searchAttributeArgs(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', DOUBLE: 'Double', TEXT: 'Text', INT: 'Int',
    BOOL: 'Bool', DATETIME: 'Datetime', KEYWORD_LIST: 'KeywordList' };
  return SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${cliType[key.type]}`]);
}
