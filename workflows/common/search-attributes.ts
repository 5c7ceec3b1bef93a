/** The search attributes every flow sets (registered once per namespace; never PII or secrets). */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const searchAttributes = {
  kind: defineSearchAttributeKey('DongflowKind', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('DongflowStatus', SearchAttributeType.KEYWORD),
  reference: defineSearchAttributeKey('DongflowReference', SearchAttributeType.KEYWORD),
  providerId: defineSearchAttributeKey('DongflowProviderId', SearchAttributeType.KEYWORD),
  amount: defineSearchAttributeKey('DongflowAmount', SearchAttributeType.INT),
} as const;

export const ALL_SEARCH_ATTRIBUTES = Object.values(searchAttributes);
