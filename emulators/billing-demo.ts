// Sandbox mode's billing sync demo: a Manage tenant with a few customers, agreements and catalog products, and a BSS
// reseller account whose current and previous months' charges exercise suggested links, a missing company and product
// (create them from Settle), and next month's mismatches. Returns the connections to store for the sandbox merchant.
import type { BssCredentials } from '../activities/bss/client';
import type { ManageCredentials } from '../activities/connectwise/client';
import type { BssEmulator, BssRecurringCharge } from './bss';
import type { ManageEmulator } from './connectwise';

const month = (d: Date) => d.toISOString().slice(0, 7);

export function seedBillingDemo(manage: ManageEmulator, bss: BssEmulator, today = new Date()): { manage: ManageCredentials; bss: BssCredentials; months: string[] } {
  const { tenant, companyId, publicKey, privateKey } = manage.createTenant('sandboxmsp');
  const contoso = tenant.addCompany('Contoso Ltd', 'Contoso');
  tenant.addAgreement(contoso.id, 'Contoso Ltd - Cloud Services');
  const northwind = tenant.addCompany('Northwind Traders', 'Northwind');
  tenant.addAgreement(northwind.id, 'Northwind cloud');
  tenant.addProduct('M365-BP', 'Microsoft 365 Business Premium', 22);
  tenant.addProduct('M365-E3', 'Microsoft 365 E3', 36);

  const account = bss.createAccount('Sandbox reseller');
  const previous = month(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1)));
  const current = month(today);
  const line = (m: string, endCustomer: string, subscriptionId: string, product: string, quantity: number, unitCost: string, day = '01'): BssRecurringCharge =>
    ({ endCustomer, subscriptionId, product, billingPlan: 'Monthly', billingCycle: 'monthly', quantity, unitCost, effectiveDate: `${m}-${day}` });
  account.setCharges(previous, [
    line(previous, 'Contoso Ltd', 'IW-1001', 'Microsoft 365 Business Premium', 25, '22.00'),
    line(previous, 'Contoso Ltd', 'IW-1002', 'Azure Plan', 1, '140.00'),
    line(previous, 'Northwind Traders', 'IW-2001', 'Microsoft 365 E3', 10, '36.00'),
    line(previous, 'Fabrikam Inc', 'IW-3001', 'Microsoft 365 Business Premium', 8, '22.00'),
  ]);
  account.setCharges(current, [
    line(current, 'Contoso Ltd', 'IW-1001', 'Microsoft 365 Business Premium', 28, '22.00', '12'),
    line(current, 'Contoso Ltd', 'IW-1002', 'Azure Plan', 1, '140.00'),
    line(current, 'Fabrikam Inc', 'IW-3001', 'Microsoft 365 Business Premium', 8, '22.00'),
    line(current, 'Fabrikam Inc', 'IW-3002', 'Microsoft 365 E3', 2, '36.00', '20'),
  ]);
  return {
    manage: { baseUrl: manage.apiBase, companyId, publicKey, privateKey, clientId: 'settle-sandbox' },
    bss: { baseUrl: bss.url, apiKey: account.apiKey },
    months: [previous, current],
  };
}
