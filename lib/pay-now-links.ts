// The addresses of the Pay Now pages that Settle hands out (to CPQ, in emails, in automatic-payment schedules):
// built here only, from SETTLE_PUBLIC_URL, so the API and the workers' emails always point at the same pages.

const base = (publicUrl: string) => publicUrl.replace(/\/$/, '');

/** A quote's Pay Now page; its checkout token is the link's only secret (the link CPQ shows the customer). */
export function quotePayNowUrl(publicUrl: string, checkoutToken: string): string {
  return `${base(publicUrl)}/pay/q/${checkoutToken}`;
}

/** A merchant's invoice pages: the payer signs in there, so the link itself carries no secret. */
export function invoicesPayNowUrl(publicUrl: string, merchantId: string): string {
  return `${base(publicUrl)}/pay/m/${merchantId}/invoices`;
}
