// Schema pieces shared by several routes.
import { z } from 'zod';
import { AMOUNT_PATTERN } from '../lib/money';

/** Free text a person typed: trimmed, not empty, bounded, no control characters. */
export const plainText = (max: number) =>
  z.string().trim().min(1).max(max).regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

export const merchantIdParam = z.string().regex(/^mer_[0-9a-f]{24}$/, 'must be a merchant id (mer_…)');

/** A decimal amount in major units, e.g. "125.50": the shape the validator checks and the OpenAPI document states. */
export const amountText = z.string().max(32).regex(AMOUNT_PATTERN, 'must be a positive decimal number such as "125.00"');
