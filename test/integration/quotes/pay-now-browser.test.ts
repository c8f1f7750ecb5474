// The Pay Now pages in a real browser (headless Chromium): a payer registers, chooses card, pays on the sandbox
// checkout and lands back on "the quote in CPQ" (a tiny local server that records what it was told). The browser
// enforces what an HTTP client does not: the Content-Security-Policy (inline style by hash, form-action on the
// redirects after a POST), cookies' attributes, and real form submission.
import type { Browser } from 'playwright-core';
import { artifactPath, chromiumExecutable, cspRefusals, NO_CHROMIUM_MESSAGE } from '../../support/browser';
import { startQuoteBrowserWorld, type CpqReturnPage } from '../../support/cpq-return';
import { acceptBody, type QuoteMerchant } from '../../support/quotes';

const executablePath = chromiumExecutable();
if (!executablePath) console.warn(NO_CHROMIUM_MESSAGE);

let m: QuoteMerchant;
let browser: Browser;
let cpq: CpqReturnPage;
let close: (() => Promise<void>) | undefined;

// Runs in the page (the test's TypeScript has no DOM types).
const backgroundOf = (el: unknown) =>
  (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor;

(executablePath ? describe : describe.skip)('Pay Now in Chromium', () => {
  beforeAll(async () => {
    ({ m, browser, cpq, close } = await startQuoteBrowserWorld(executablePath!));
  });
  afterAll(() => close?.());

  it('registers, pays by card on the sandbox checkout and returns to the quote with settle_status=paid', async () => {
    const accepted = await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody({ returnUrl: cpq.url }) });
    expect(accepted.status).toBe(201);
    const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
    const refused = cspRefusals(page);

    await page.goto(accepted.body.payNowUrl);
    await page.screenshot({ path: artifactPath('pay-now-identify.png'), fullPage: true });
    await page.fill('#register-name', 'Robin Browser');
    await page.fill('#register-email', `robin.${Date.now()}@payer.example`);
    await page.fill('#register-phone', '+1 555 0142');
    await page.getByRole('button', { name: 'Register' }).click();

    await page.getByText('Paying as Robin Browser.').waitFor();
    // The inline stylesheet applied (allowed by its hash): the buttons are blue, not the browser's grey.
    expect(await page.locator('#methods button').first().evaluate(backgroundOf)).toBe('rgb(36, 81, 214)');
    await page.screenshot({ path: artifactPath('pay-now-method-choice.png'), fullPage: true });
    await page.getByRole('button', { name: 'Pay by card' }).click();

    await page.getByText('Sandbox checkout.').waitFor();
    await page.screenshot({ path: artifactPath('pay-now-sandbox-checkout.png'), fullPage: true });
    await page.getByRole('button', { name: 'Card — succeeds', exact: true }).click();

    await page.waitForURL((url) => url.href.startsWith(cpq.url));
    await page.locator('#back').waitFor();
    expect(cpq.returns).toHaveLength(1);
    expect(Object.fromEntries(cpq.returns[0])).toEqual({ settle_status: 'paid', quote_id: accepted.body.quoteId });
    expect(refused).toEqual([]);
    await page.close();
  }, 30_000);
});
