// A real browser for the page tests: the system's Chromium (Debian's `chromium` package) driven by playwright-core,
// which downloads no browser of its own. CHROMIUM_PATH names another one.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Where test screenshots go (not committed). */
export const ARTIFACTS_DIR = path.resolve(__dirname, '..', 'artifacts');

/**
 * The Chromium executable, or undefined when this machine has none (CI installs it: `apt-get install chromium`).
 * A CHROMIUM_PATH that does not exist is a mistake, not an absence: it throws.
 */
export function chromiumExecutable(): string | undefined {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH is ${configured}, which does not exist`);
    return configured;
  }
  const found = SYSTEM_CHROMIUM.find((candidate) => existsSync(candidate));
  // CI installs Chromium (.ci/run): there a missing browser is a broken setup, never a reason to skip.
  if (!found && process.env.CI) throw new Error('no Chromium on a CI machine: .ci/run should have installed it');
  return found;
}

export const NO_CHROMIUM_MESSAGE =
  'browser tests skipped: no Chromium found (set CHROMIUM_PATH, or install it: apt-get install -y chromium)';

/** A path for a screenshot under test/artifacts/, creating the folder. */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}

/** Waits until the first element of `locator` has text matching `pattern` (a screen that loads its data after it shows). */
export async function expectText(locator: ReturnType<Page['locator']>, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.first().textContent({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => '')) ?? '';
    if (pattern.test(last)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${pattern} in: ${last}`);
}

/** What the page's Content Security Policy refuses from now on (its console says so): a test expects none. */
export function cspRefusals(page: Page): string[] {
  const refused: string[] = [];
  page.on('console', (msg) => { if (/Content Security Policy|Refused to/i.test(msg.text())) refused.push(msg.text()); });
  return refused;
}
