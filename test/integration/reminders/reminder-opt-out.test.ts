// A payer who opted out through the signed link in a reminder (the opt-out page: GET shows it, POST records it, a
// forged token is refused) gets no reminder over 30 days on the time-skipping server. Its own suite and server, so it runs
// beside the other reminder suites.
import { optOutToken, optOutUrl } from '../../../lib/reminders/opt-out-token';
import { httpClient } from '../../support/http';
import { DAY_MS, startReminderSuite, type ReminderSuite } from '../../support/reminders';

// Each test skips 30 days or more; a stopped worker's shutdown and restart take most of the real time on two busy cores.
jest.setTimeout(360_000);
let r: ReminderSuite;
beforeAll(async () => {
  r = await startReminderSuite();
});
afterAll(() => r?.close());

it('sends nothing to a payer who opted out through the signed link', async () => {
  const p = await r.payerWithInvoice(5_000, 2);
  const page = httpClient(r.world.stack.api!.url);
  const link = optOutUrl(r.world.stack.api!.url, r.merchantId, optOutToken(r.world.stack.apiDeps.keyring, r.merchantId, p.payerId));
  const path = new URL(link).pathname + new URL(link).search;
  const shown = await page('GET', path);
  expect(shown.status).toBe(200);
  expect(String(shown.body)).toContain('Stop reminders');
  // A forged token (another payer's id with this one's signature) is refused.
  const forged = path.replace(p.payerId, 'pyr_000000000000000000000000');
  expect((await page('GET', forged)).status).toBe(404);
  const token = new URL(link).searchParams.get('t')!;
  const posted = await fetch(`${r.world.stack.api!.url}/pay/m/${r.merchantId}/reminders/opt-out`, { method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ t: token }).toString() });
  expect(posted.status).toBe(303);
  expect(String((await page('GET', `${path}&done=1`)).body)).toContain('Reminders stopped');

  expect(await r.runReminders()).toMatchObject({ started: 1 });
  const result = await r.reminderResult(p.invoice.id);
  expect(result).toMatchObject({ status: 'stopped', reason: 'opted-out', sent: [] });
  await r.env.sleep(30 * DAY_MS);
  expect(await r.remindersTo(p.email)).toHaveLength(0);
  expect(await r.stepsSent(p.invoice.id)).toEqual([]);
});
