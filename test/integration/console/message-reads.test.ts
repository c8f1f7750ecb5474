// Messages have a read state over real HTTP and Postgres: new ones are unread, the Overview counts the unread ones
// (of any age), one can be marked read (again: no change) or all at once, and another merchant can neither see nor
// mark them.
import { sql } from 'kysely';
import { postMerchantMessage } from '../../../db/messages';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ roles: [] });
});
afterAll(() => stack.close());

it('counts unread messages, marks one read, then all, and keeps them to their merchant', async () => {
  const merchant = await createTestMerchant(stack, 'Reader MSP');
  const other = await createTestMerchant(stack, 'Other Reader MSP');
  const api = httpClient(stack.api!.url, merchant.apiKey);
  const theirs = httpClient(stack.api!.url, other.apiKey);
  for (const n of [1, 2, 3]) await postMerchantMessage(stack.db, { merchantId: merchant.merchantId, kind: 'bpay-limit', text: `limit reached ${n}` });
  // An old message still counts while unread: "unread" is not "recent".
  await stack.db.updateTable('merchant_messages').set({ created_at: sql<Date>`now() - interval '90 days'` } as never)
    .where('merchant_id', '=', merchant.merchantId).where('text', '=', 'limit reached 1').execute();

  const listed = await api('GET', '/v1/messages');
  expect(listed.body.unread).toBe(3);
  expect(listed.body.messages.map((m: any) => m.readAt)).toEqual([null, null, null]);
  expect((await api('GET', '/v1/overview')).body).toMatchObject({ unreadMessages: 3, recentMessages: 2 });

  const first = listed.body.messages[0];
  expect((await theirs('PUT', `/v1/messages/${first.id}/read`)).status).toBe(404);
  expect((await theirs('GET', '/v1/messages')).body).toEqual({ unread: 0, messages: [] });
  expect((await api('PUT', `/v1/messages/${first.id}/read`)).status).toBe(204);
  const readAt = (await api('GET', '/v1/messages')).body.messages[0].readAt;
  expect(readAt).toEqual(expect.any(String));
  // Again: the first reading stands.
  expect((await api('PUT', `/v1/messages/${first.id}/read`)).status).toBe(204);
  expect((await api('GET', '/v1/messages')).body).toMatchObject({ unread: 2, messages: [{ id: first.id, readAt }, { readAt: null }, { readAt: null }] });
  expect((await api('GET', '/v1/overview')).body.unreadMessages).toBe(2);

  expect((await theirs('POST', '/v1/messages/read')).body).toEqual({ marked: 0 });
  expect((await api('GET', '/v1/overview')).body.unreadMessages).toBe(2);
  expect((await api('POST', '/v1/messages/read')).body).toEqual({ marked: 2 });
  expect((await api('GET', '/v1/overview')).body.unreadMessages).toBe(0);
});
