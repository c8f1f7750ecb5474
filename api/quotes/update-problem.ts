// A workflow update refused by its validator (or sent to a closed workflow) is the client's problem, not ours:
// a 409 that says why, instead of a 500.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ProblemError } from '../problem';

export function updateProblem(err: unknown): unknown {
  if (err instanceof WorkflowUpdateFailedError) return new ProblemError('conflict', err.cause?.message ?? err.message);
  if (err instanceof WorkflowNotFoundError) return new ProblemError('conflict', 'the quote payment has finished; nothing more can change');
  return err;
}
