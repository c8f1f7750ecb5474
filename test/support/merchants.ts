// Merchants for API tests, created through the admin route as a real operator would.
import { httpClient } from './http';
import type { TestStack } from './stack';

export async function createTestMerchant(stack: TestStack, name = 'Acme MSP'): Promise<{ merchantId: string; apiKey: string; keyId: string }> {
  const request = httpClient(stack.api!.url);
  const response = await request('POST', '/v1/admin/merchants', { key: stack.apiDeps.adminApiKey, body: { name } });
  if (response.status !== 201) throw new Error(`creating a merchant failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { merchantId: response.body.merchant.id, apiKey: response.body.apiKey.key, keyId: response.body.apiKey.id };
}
