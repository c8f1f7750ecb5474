// Which accounting contact a customer is: by account number, then exact name, then email. The first way that finds
// anyone decides: one contact is a match; several are ambiguous (the merchant chooses); none anywhere is no match.
// A later way never overrules an earlier one (two contacts with the customer's account number are a question for
// the merchant, even if only one has its name).
export type MatchedBy = 'account-number' | 'name' | 'email';

export type ContactChoice =
  | { kind: 'matched'; contactId: string; by: MatchedBy }
  | { kind: 'ambiguous'; by: MatchedBy; candidates: number }
  | { kind: 'none' };

export function chooseContact(steps: ReadonlyArray<{ by: MatchedBy; candidates: ReadonlyArray<{ id: string }> | undefined }>): ContactChoice {
  for (const step of steps) {
    const ids = [...new Set((step.candidates ?? []).map((c) => c.id))];
    if (ids.length === 1) return { kind: 'matched', contactId: ids[0], by: step.by };
    if (ids.length > 1) return { kind: 'ambiguous', by: step.by, candidates: ids.length };
  }
  return { kind: 'none' };
}
