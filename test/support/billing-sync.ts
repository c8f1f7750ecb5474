// The world a billing sync test needs: the real stack (Temporal, Postgres, workers, API), a Manage emulator and a BSS
// emulator, and merchants connected to both through the API as a merchant would do it.
import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { billingWorkflowId } from '../../db/billing-sync';
import { startBssEmulator, type BssAccount, type BssEmulator, type BssRecurringCharge } from '../../emulators/bss';
import { startManageEmulator, type ManageEmulator, type ManageTenant } from '../../emulators/connectwise';
import type { WorkerRole } from '../../lib/task-queues';
import { billingSyncStateQuery, type BillingSyncState, type BillingSyncStatus } from '../../workflows/billing-sync/definitions';
import { eventually } from './eventually';
import { httpClient } from './http';
import { createTestMerchant } from './merchants';
import { startTestStack, type TestStack } from './stack';

export interface BillingWorld {
  stack: TestStack;
  manage: ManageEmulator;
  bss: BssEmulator;
  close(): Promise<void>;
}

export async function startBillingWorld(opts: { roles?: readonly WorkerRole[]; manageRequestsPerSecond?: number; maxBodyBytes?: number } = {}): Promise<BillingWorld> {
  const [manage, bss] = await Promise.all([startManageEmulator({ requestsPerSecond: opts.manageRequestsPerSecond ?? 200 }), startBssEmulator({ requestsPerSecond: 100 })]);
  const stack = await startTestStack(opts.roles ? { roles: opts.roles } : {});
  if (opts.maxBodyBytes) stack.apiDeps.maxBodyBytes = opts.maxBodyBytes;
  return { stack, manage, bss, async close() {
    await stack.close();
    await Promise.all([manage.close(), bss.close()]);
  } };
}

export interface BillingMerchant {
  merchantId: string;
  api: ReturnType<typeof httpClient>;
  tenant: ManageTenant;
  bssAccount: BssAccount;
  handle(month: string): WorkflowHandle;
}

export async function setUpBillingMerchant(world: BillingWorld): Promise<BillingMerchant> {
  const { merchantId, apiKey } = await createTestMerchant(world.stack, `Billing MSP ${randomBytes(3).toString('hex')}`);
  const api = httpClient(world.stack.api!.url, apiKey);
  const { tenant, companyId, publicKey, privateKey } = world.manage.createTenant();
  const bssAccount = world.bss.createAccount();
  const manage = await api('PUT', '/v1/billing-sync/connections/manage', { body: { baseUrl: world.manage.apiBase, companyId, publicKey, privateKey, clientId: 'settle-test' } });
  if (manage.status !== 200) throw new Error(`connecting Manage failed: ${manage.status} ${JSON.stringify(manage.body)}`);
  const bss = await api('PUT', '/v1/billing-sync/connections/bss', { body: { baseUrl: world.bss.url, apiKey: bssAccount.apiKey } });
  if (bss.status !== 200) throw new Error(`connecting the BSS failed: ${bss.status} ${JSON.stringify(bss.body)}`);
  return { merchantId, api, tenant, bssAccount, handle: (month) => world.stack.client.workflow.getHandle(billingWorkflowId(merchantId, month)) };
}

export function charge(customer: string, subscriptionId: string, product: string, quantity: number, over: Partial<BssRecurringCharge> = {}): BssRecurringCharge {
  return { endCustomer: customer, subscriptionId, product, billingPlan: 'Monthly', billingCycle: 'monthly', quantity, unitCost: '6.00', effectiveDate: '2026-11-01', ...over };
}

/** The run's workflow state once it reaches `status`. */
export function untilRunStatus(m: BillingMerchant, month: string, status: BillingSyncStatus, timeoutMs = 30_000): Promise<BillingSyncState> {
  // Awaiting approval counts once there is a proposal to approve.
  return eventually(`billing sync ${month} ${status}`, () => m.handle(month).query(billingSyncStateQuery).catch(() => undefined),
    (s) => s?.status === status && (status !== 'awaiting-approval' || s.proposal !== undefined), { timeoutMs, everyMs: 50 }) as Promise<BillingSyncState>;
}
