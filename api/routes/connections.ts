// Accounting connections: the "Configure > Accounting Connections" view as an API, the admin switch for
// multi-connection, and the merchant's open actions (e.g. reconnect). Connecting is by consent: routes/oauth.ts.
import { z } from 'zod';
import { PLATFORM_LIMITS } from '../../activities/accounting/limits';
import { findMerchant } from '../../db/merchants';
import { ACCOUNTING_ROLES, type AccountingRole } from '../../lib/task-queues';
import type { Db } from '../../db/database';
import type { ApiDeps } from '../deps';
import { currentMerchant } from '../middleware/auth';
import { notFound } from '../problem';
import { defineRoute } from '../routing';
import { merchantIdParam } from '../schemas';

const roleEnum = z.enum(ACCOUNTING_ROLES);

const connectionView = z.object({
  role: roleEnum,
  usesConnectionOf: roleEnum.describe('The role whose connection serves this one (wise-pay unless multi-connection is on)'),
  platform: z.enum(['xero', 'quickbooks']).nullable(),
  tenantId: z.string().nullable(),
  organisationName: z.string().nullable().describe("The organisation's name as the platform gave it at consent (null: not given; show tenantId)"),
  status: z.enum(['connected', 'disconnected', 'reconnect_required', 'not-connected']),
  connectedSince: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  budget: z.object({ minuteRemaining: z.number().nullable(), dayRemaining: z.number().nullable() }),
});

const actionView = z.object({ id: z.string(), kind: z.string(), subject: z.string(), detail: z.string(), createdAt: z.string() });

export function connectionRoutes(deps: ApiDeps) {
  const { budget } = deps.accounting;

  async function view(merchantId: string) {
    const merchant = await findMerchant(deps.db, merchantId);
    const rows = await deps.db.selectFrom('accounting_connections').selectAll().where('merchant_id', '=', merchantId).execute();
    return Promise.all(
      ACCOUNTING_ROLES.map(async (role) => {
        const uses: AccountingRole = merchant?.multi_connection ? role : 'wise-pay';
        const row = rows.find((r) => r.role === uses);
        const usage = row ? await budget.usage(row.id) : undefined;
        const limits = row ? PLATFORM_LIMITS[row.platform] : undefined;
        return {
          role,
          usesConnectionOf: uses,
          platform: row?.platform ?? null,
          tenantId: row?.tenant_id ?? null,
          organisationName: row?.tenant_name ?? null,
          status: row?.status ?? ('not-connected' as const),
          connectedSince: row?.connected_at.toISOString() ?? null,
          lastUsedAt: row?.last_used_at?.toISOString() ?? null,
          budget: {
            minuteRemaining: usage && limits ? Math.max(0, limits.perMinute - usage.minute) : null,
            dayRemaining: usage && limits?.perDay !== undefined ? Math.max(0, limits.perDay - usage.day) : null,
          },
        };
      }),
    );
  }

  return [
    defineRoute({
      method: 'get',
      path: '/v1/connections',
      operationId: 'listConnections',
      summary: "The merchant's accounting connections, one per role, with remaining rate budget",
      tag: 'connections',
      auth: 'merchant', merchantRole: 'admin',
      responses: { 200: { description: 'Connections', schema: z.object({ multiConnection: z.boolean(), connections: z.array(connectionView) }) } },
      handler: async ({ state }) => ({
        status: 200,
        body: { multiConnection: (await currentMerchant(deps.db, state.merchant.id)).multi_connection, connections: await view(state.merchant.id) },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/actions',
      operationId: 'listActions',
      summary: 'Open actions: things the merchant must do (e.g. reconnect an accounting connection)',
      tag: 'merchant',
      auth: 'merchant',
      responses: { 200: { description: 'Open actions', schema: z.object({ actions: z.array(actionView) }) } },
      handler: async ({ state }) => {
        const rows = await deps.db.selectFrom('merchant_actions').selectAll().where('merchant_id', '=', state.merchant.id)
          .where('resolved_at', 'is', null).orderBy('created_at').execute();
        return {
          status: 200,
          body: { actions: rows.map((a) => ({ id: a.id, kind: a.kind, subject: a.subject, detail: a.detail, createdAt: a.created_at.toISOString() })) },
        };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/v1/connections/multi-connection',
      operationId: 'setOwnMultiConnection',
      summary: "Turn the merchant's multi-connection on or off from the console (off: every role uses the wise-pay connection)",
      tag: 'connections',
      auth: 'merchant', merchantRole: 'platform-admin',
      body: z.object({ enabled: z.boolean() }),
      responses: { 200: { description: 'Set', schema: z.object({ multiConnection: z.boolean() }) }, 403: { description: 'Not a Settle platform admin' } },
      handler: async ({ body, state }) => {
        await setMultiConnection(deps.db, state.merchant.id, body.enabled);
        state.log.info({ multiConnection: body.enabled, by: state.user?.id }, 'multi-connection set by a platform admin');
        return { status: 200, body: { multiConnection: body.enabled } };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/v1/admin/merchants/:merchantId/multi-connection',
      operationId: 'setMultiConnection',
      summary: 'Turn multi-connection on or off for a merchant (off: every role uses the wise-pay connection)',
      tag: 'admin',
      auth: 'admin',
      params: z.object({ merchantId: merchantIdParam }),
      body: z.object({ enabled: z.boolean() }),
      responses: { 200: { description: 'Set', schema: z.object({ merchantId: z.string(), multiConnection: z.boolean() }) }, 404: { description: 'No such merchant' } },
      handler: async ({ params, body }) => {
        if (!(await setMultiConnection(deps.db, params.merchantId, body.enabled))) throw notFound('merchant');
        return { status: 200, body: { merchantId: params.merchantId, multiConnection: body.enabled } };
      },
    }),
  ];
}

/** Multi-connection on or off for a merchant; false when there is no such merchant. */
async function setMultiConnection(db: Db, merchantId: string, enabled: boolean): Promise<boolean> {
  const updated = await db.updateTable('merchants').set({ multi_connection: enabled }).where('id', '=', merchantId).executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}
