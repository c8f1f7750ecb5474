// Two-factor sign-in in headless Chromium against the real API serving the built console: an admin enrols an
// authenticator app from the Account screen (the test computes the app's codes from the key the screen shows), signs
// out, signs in with a code, then with a recovery code; then makes two-factor sign-in mandatory, and a billing user
// without it is held on the enrolment screen after sign-in until it is set up. Screens are saved under test/artifacts.
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../../dev/console-build';
import { base32Decode, totp } from '../../../lib/crypto/totp';
import { artifactPath, chromiumExecutable, NO_CHROMIUM_MESSAGE } from '../../support/browser';
import { CONSOLE_PASSWORD, consoleUser } from '../../support/console';
import { createTestMerchant } from '../../support/merchants';
import { startTestStack, type TestStack } from '../../support/stack';

const executablePath = chromiumExecutable();
if (!executablePath) console.warn(NO_CHROMIUM_MESSAGE);

const ADMIN = 'ada@2fa-browser.example';
const BILLING = 'bill@2fa-browser.example';
const now = () => Date.now() / 1000;

let stack: TestStack;
let browser: Browser;
let base: string;
let page: Page;
let secret: Buffer;
let recoveryCodes: string[];

const shot = (name: string, p: Page = page) => p.screenshot({ path: artifactPath(`console-${name}.png`), fullPage: true });

async function signInWithPassword(p: Page, email: string): Promise<void> {
  await p.goto(`${base}/console/`);
  await p.waitForURL((u) => u.pathname === '/console/sign-in');
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password').fill(CONSOLE_PASSWORD);
  await p.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((u) => u.pathname === '/console/sign-in');
}

/** Enrols from wherever the enrolment is shown; answers the recovery codes. */
async function enrol(p: Page, name: string): Promise<{ secret: Buffer; codes: string[] }> {
  await p.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await p.getByRole('img', { name: /QR code/ }).waitFor();
  const key = base32Decode(await p.getByLabel('Key', { exact: true }).inputValue());
  await shot(`${name}-scan`, p);
  await p.getByLabel('Code the app shows').fill(totp(key, now()));
  await p.getByRole('button', { name: 'Turn on' }).click();
  const list = p.getByRole('list', { name: 'Recovery codes' });
  await list.waitFor();
  const codes = (await list.getByRole('listitem').allTextContents()).map((c) => c.trim());
  await shot(`${name}-recovery-codes`, p);
  await p.getByRole('button', { name: 'I have saved them' }).click();
  return { secret: key, codes };
}

(executablePath ? describe : describe.skip)('two-factor sign-in in Chromium', () => {
  beforeAll(async () => {
    await ensureConsoleBuilt();
    [stack, browser] = await Promise.all([startTestStack({ roles: [] }), chromium.launch({ executablePath })]);
    base = stack.api!.url;
    const merchant = await createTestMerchant(stack, '2FA MSP');
    const admin = await consoleUser(stack, merchant.merchantId, { email: ADMIN, role: 'admin' });
    await consoleUser(stack, merchant.merchantId, { email: BILLING, role: 'billing', invitedBy: admin });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('enrols an authenticator app from the Account screen', async () => {
    await signInWithPassword(page, ADMIN);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    ({ secret, codes: recoveryCodes } = await enrol(page, 'two-factor'));
    expect(recoveryCodes).toHaveLength(10);
    await expectVisible(page.getByText(/On: you sign in with a code from your authenticator app\. 10 of 10 recovery codes left/));
  }, 60_000);

  it('signs in with a code of the app after the password', async () => {
    await signOut();
    await signInWithPassword(page, ADMIN);
    await page.getByRole('heading', { name: 'Two-factor sign-in', level: 1 }).waitFor();
    // Not signed in yet: the console's screens are not there.
    expect(await page.getByRole('navigation', { name: 'Console' }).count()).toBe(0);
    await page.getByLabel('Code from your authenticator app').fill('000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // A sentence that says what to do next.
    await expectVisible(page.getByRole('alert').getByText(/^The code is wrong or was used already: type the current code of your authenticator app, or a recovery code\.$/));
    await shot('two-factor-code');
    // Enrolment used this time step's code: the app's next one.
    await page.getByLabel('Code from your authenticator app').fill(totp(secret, now() + 30));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  }, 60_000);

  it('signs in with a recovery code', async () => {
    await signOut();
    await signInWithPassword(page, ADMIN);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(recoveryCodes[0]);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Account' }).click();
    await expectVisible(page.getByText(/9 of 10 recovery codes left/));
  }, 60_000);

  it('makes it mandatory: a billing user without it must enrol after sign-in', async () => {
    // Checked once saved (the box shows the setting the server answers).
    await page.getByLabel(/Require two-factor sign-in for every user/).click();
    await expectVisible(page.getByRole('status').getByText(/now required/));
    expect(await page.getByLabel(/Require two-factor sign-in for every user/).isChecked()).toBe(true);
    await shot('account-two-factor');
    const billing = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    await signInWithPassword(billing, BILLING);
    await billing.getByRole('heading', { name: 'Set up two-factor sign-in', level: 1 }).waitFor();
    expect(await billing.getByRole('navigation', { name: 'Console' }).count()).toBe(0);
    await shot('two-factor-required', billing);
    await enrol(billing, 'two-factor-required');
    await billing.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    expect(await billing.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents()).toContain('Billing sync');
  }, 60_000);
});

async function expectVisible(locator: ReturnType<Page['locator']>): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout: 10_000 });
}
