// The Integrations screen's Stripe section in headless Chromium, against the real API serving the built console and
// the Stripe emulator: a merchant admin sees there is no account, sets one up (POST /v1/integrations/stripe/account
// sends the browser to the emulator's hosted onboarding page), saves for later and comes back to the console through
// Settle's return page with Stripe's requirements shown, then continues onboarding, submits, and finds it complete.
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../../dev/console-build';
import { artifactPath, chromiumExecutable, expectText, NO_CHROMIUM_MESSAGE } from '../../support/browser';
import { CONSOLE_PASSWORD, consoleUser } from '../../support/console';
import { createTestMerchant } from '../../support/merchants';
import { startStripe, type StripeFixture } from '../../support/stripe';
import { startTestStack, type TestStack } from '../../support/stack';

const executablePath = chromiumExecutable();
if (!executablePath) console.warn(NO_CHROMIUM_MESSAGE);

const ADMIN = 'ada@stripe-browser.example';

let stack: TestStack;
let stripe: StripeFixture;
let browser: Browser;
let base: string;
let page: Page;

const shot = (name: string) => page.screenshot({ path: artifactPath(`console-${name}.png`), fullPage: true });

(executablePath ? describe : describe.skip)('Stripe onboarding from the Integrations screen in Chromium', () => {
  beforeAll(async () => {
    await ensureConsoleBuilt();
    stripe = await startStripe();
    [stack, browser] = await Promise.all([
      startTestStack({ roles: [], stripe: { stripe: stripe.stripe, publishableKey: stripe.publishableKey } }),
      chromium.launch({ executablePath }),
    ]);
    base = stack.api!.url;
    const merchant = await createTestMerchant(stack, 'Stripe Browser MSP');
    await consoleUser(stack, merchant.merchantId, { email: ADMIN, role: 'admin' });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    await page.goto(`${base}/console/integrations`);
    await page.waitForURL((u) => u.pathname === '/console/sign-in');
    await page.getByLabel('Email').fill(ADMIN);
    await page.getByLabel('Password').fill(CONSOLE_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/console/integrations');
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await stripe?.close();
  });

  it('sets up the account through the hosted onboarding page, saved for later, and back: Stripe still needs details', async () => {
    await expectText(page.locator('#stripe-state'), /No Stripe account yet/);
    await page.getByRole('button', { name: 'Set up Stripe payments' }).click();
    // The emulator's hosted onboarding page (Stripe's connect.stripe.com).
    await page.waitForURL((u) => u.origin === new URL(stripe.emu.url).origin);
    await page.getByText('Stripe Browser MSP').first().waitFor();
    await shot('stripe-hosted-onboarding');
    await page.getByRole('button', { name: 'Save for later' }).click();
    // Settle's return page reads the account from Stripe and links back to the console.
    await page.waitForURL((u) => u.pathname === '/stripe/onboarding/return');
    await expectText(page.locator('#outcome'), /has not enabled payments/);
    await page.getByRole('link', { name: /Back to Integrations/ }).click();
    await page.waitForURL((u) => u.pathname === '/console/integrations');
    const state = page.locator('#stripe-state');
    await expectText(state, /incomplete/);
    await expectText(state, /a bank account for payouts/);
    expect(await state.textContent()).toMatch(/Paymentsnot enabled yet/);
    await shot('integrations-stripe-incomplete');
  }, 60_000);

  it('continues onboarding, submits, and shows the account complete', async () => {
    await page.getByRole('button', { name: 'Continue onboarding with Stripe' }).click();
    await page.waitForURL((u) => u.origin === new URL(stripe.emu.url).origin);
    await page.getByRole('button', { name: 'Agree and submit' }).click();
    await page.waitForURL((u) => u.pathname === '/stripe/onboarding/return');
    await expectText(page.locator('#outcome'), /Your Stripe account is ready/);
    await page.getByRole('link', { name: /Back to Integrations/ }).click();
    await page.waitForURL((u) => u.pathname === '/console/integrations');
    const state = page.locator('#stripe-state');
    await expectText(state, /complete/);
    expect(await state.textContent()).toMatch(/Paymentsenabled/);
    expect(await page.getByRole('button', { name: /onboarding with Stripe/ }).count()).toBe(0);
    await shot('integrations-stripe');
  }, 60_000);
});
