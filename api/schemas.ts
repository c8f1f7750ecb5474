// Schema pieces shared by several routes.
import { z } from 'zod';

/** Free text a person typed: trimmed, not empty, bounded, no control characters. */
export const plainText = (max: number) =>
  z.string().trim().min(1).max(max).regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

export const merchantIdParam = z.string().regex(/^mer_[0-9a-f]{24}$/, 'must be a merchant id (mer_…)');
