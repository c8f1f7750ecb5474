import { accountingQueueFor, roleOfTaskQueue, taskQueueName, WORKER_ROLES } from '../../lib/task-queues';

describe('task queue names', () => {
  it('gives each role its own queue under the prefix', () => {
    const names = WORKER_ROLES.map((role) => taskQueueName('settle', role));
    expect(names).toEqual(['settle.workflows', 'settle.accounting.wise-pay', 'settle.accounting.company', 'settle.accounting.service']);
    expect(new Set(names).size).toBe(WORKER_ROLES.length);
  });

  it('finds the accounting queue that belongs with a workflow queue, whatever the prefix', () => {
    expect(accountingQueueFor('settle.workflows', 'service')).toBe('settle.accounting.service');
    expect(accountingQueueFor('test-ab12.workflows', 'wise-pay')).toBe('test-ab12.accounting.wise-pay');
  });

  it('takes a queue without the workflows suffix (as the replayer uses) whole as the prefix', () => {
    expect(accountingQueueFor('fake_replay_queue-0', 'company')).toBe('fake_replay_queue-0.accounting.company');
  });
});

describe('roleOfTaskQueue', () => {
  it('reads the role from an accounting queue of any prefix', () => {
    expect(roleOfTaskQueue('settle.accounting.company')).toBe('company');
    expect(roleOfTaskQueue('test-1.accounting.wise-pay')).toBe('wise-pay');
  });
  it('gives no role for other queues', () => {
    expect(roleOfTaskQueue('settle.workflows')).toBeUndefined();
    expect(roleOfTaskQueue('settle.accounting.admin')).toBeUndefined();
  });
});
