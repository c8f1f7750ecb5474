// Builds the adapter for a connection: the one place that knows which platform module serves which name.
import type { PlatformFactory } from '.';
import type { PlatformEndpoints } from './connections';
import { createQuickBooksPlatform } from './quickbooks';
import { createXeroPlatform } from './xero';

export function platformFactory(endpoints: PlatformEndpoints): PlatformFactory {
  return (connection, accessToken) =>
    connection.platform === 'xero'
      ? createXeroPlatform({ basePath: endpoints.xero.apiBase, tenantId: connection.tenant_id, accessToken, webAppBaseUrl: endpoints.xero.webAppBaseUrl })
      : createQuickBooksPlatform({
          endpoint: endpoints.quickbooks.apiBase,
          realmId: connection.tenant_id,
          accessToken,
          webAppBaseUrl: endpoints.quickbooks.webAppBaseUrl,
        });
}
