import fc from 'fast-check';
import { idempotencyKey, partKey } from '../../lib/idempotency';

it('is the same for the same workflow and operation, and short enough for every platform', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), (workflowId, operation) => {
      const key = idempotencyKey(workflowId, operation);
      expect(key).toBe(idempotencyKey(workflowId, operation));
      expect(key).toMatch(/^[A-Za-z0-9_-]{1,50}$/);
    }),
  );
});

it('differs between operations, workflows and parts', () => {
  const keys = [idempotencyKey('wf-1', 'create-credit-note'), idempotencyKey('wf-1', 'approve-credit-note'),
    idempotencyKey('wf-2', 'create-credit-note'), idempotencyKey('wf-1a', 'create-credit-note'), idempotencyKey('wf-1', 'acreate-credit-note')];
  keys.push(partKey(keys[0], 0), partKey(keys[0], 1));
  expect(new Set(keys).size).toBe(keys.length);
});
