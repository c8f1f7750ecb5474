// The merchant's partial-payment settings through the API: off by default, turned on with a minimum, refused when
// the minimum is not a positive whole number of minor units.
import { createTestMerchant } from '../../support/merchants';
import { httpClient } from '../../support/http';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ roles: [] });
});
afterAll(() => stack?.close());

it('is off by default, saves a minimum, and refuses a minimum that is not a positive amount in cents', async () => {
  const { apiKey } = await createTestMerchant(stack, 'Partial MSP');
  const api = httpClient(stack.api!.url, apiKey);
  expect((await api('GET', '/v1/merchant/settings/partial-payments')).body).toEqual({ enabled: false, minimumMinor: 1_000 });
  expect(await api('PUT', '/v1/merchant/settings/partial-payments', { body: { enabled: true, minimumMinor: 2_500 } })).toMatchObject({ status: 200, body: { enabled: true, minimumMinor: 2_500 } });
  expect((await api('GET', '/v1/merchant/settings/partial-payments')).body).toEqual({ enabled: true, minimumMinor: 2_500 });
  for (const minimumMinor of [0, -5, 12.5]) {
    const refused = await api('PUT', '/v1/merchant/settings/partial-payments', { body: { enabled: true, minimumMinor } });
    expect(refused.status).toBe(400);
    expect(refused.body.type).toBe('/problems/validation-error');
  }
  expect((await api('GET', '/v1/merchant/settings/partial-payments')).body).toEqual({ enabled: true, minimumMinor: 2_500 });
});
