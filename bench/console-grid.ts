// The 5,000-line billing grid of the console, scrolled from the first line to the last a screen at a time per frame
// with a PerformanceObserver of long tasks (the console benchmark's grid case, bench/console.ts). On its own,
// `npx tsx bench/console-grid.ts [runs]` measures only this, a few times in a row, without the rest of the benchmark:
// a quick loop while changing the grid.
import { chromium, type Browser, type Page } from 'playwright-core';
import { billingRunId, billingWorkflowId } from '../db/billing-sync';
import { ensureConsoleBuilt } from '../dev/console-build';
import { chromiumExecutable } from '../test/support/browser';
import { consoleUser } from '../test/support/console';
import { createTestMerchant } from '../test/support/merchants';
import { startTestStack, type TestStack } from '../test/support/stack';
import { startBenchStack } from './support/stack';
import { publishBenchServers, round } from './support/world';

export const GRID_LINES = 5_000;
export const GRID_MONTH = '2026-10';
/**
 * The grid's line-number cells (first column); every rendered row has one. GRID_OLD=1 reads the <table> grid this
 * replaced (main before it: check its BillingSync.tsx and styles.css out to compare the two on the same machine).
 */
const LINE_CELLS = process.env.GRID_OLD ? '[data-testid=billing-grid] tbody tr td:first-child' : '[data-testid=billing-grid] [role=row] [role=gridcell]:first-child';

export interface GridScroll {
  ms: number; frames: number; longTasks: number[]; lastLine: number; loadMs: number;
  /** The frame (of `frames`) each long task started in: the first frames, the last or anywhere. */
  longTaskFrames: number[];
  /** Time from one scroll step to the next (a frame), median and 95th percentile, ms. */
  frameP50: number; frameP95: number;
}

/** Records long tasks from the page's start; `__recording` turns the recording on while scrolling. */
export async function observeLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = globalThis as unknown as { __longTasks: number[]; __longTaskStarts: number[]; __recording: boolean };
    w.__longTasks = [];
    w.__longTaskStarts = [];
    w.__recording = false;
    new PerformanceObserver((list) => {
      if (w.__recording) for (const e of list.getEntries()) { w.__longTasks.push(e.duration); w.__longTaskStarts.push(e.startTime); }
    }).observe({ type: 'longtask' as never, buffered: false });
  });
}

/** Opens the month's grid (the page observes long tasks already) and scrolls it to its last line. */
export async function scrollGridToEnd(page: Page, base: string): Promise<GridScroll> {
  const loadStarted = Date.now();
  await page.goto(`${base}/console/billing-sync?month=${GRID_MONTH}`);
  await page.locator(LINE_CELLS, { hasText: /^1$/ }).first().waitFor({ timeout: 60_000 });
  const loadMs = Date.now() - loadStarted;
  // A string, not a function: tsx would wrap a function's inner names in a helper the page does not have.
  const scroll = await page.evaluate(`(async () => {
    const el = document.querySelector('[data-testid=billing-grid]');
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    window.__recording = true;
    const started = performance.now();
    let frames = 0;
    const frameStarts = [];
    while (el.scrollTop + el.clientHeight < el.scrollHeight - 1) {
      frameStarts.push(performance.now());
      el.scrollTop += el.clientHeight;
      await frame();
      frames++;
    }
    await frame();
    await new Promise((r) => setTimeout(r, 200)); // long tasks are reported after they end
    window.__recording = false;
    const cells = [...document.querySelectorAll(${JSON.stringify(LINE_CELLS)})].map((c) => Number(c.textContent));
    const steps = frameStarts.slice(1).map((t, i) => t - frameStarts[i]).sort((a, b) => a - b);
    const frameP50 = steps[Math.floor(steps.length / 2)], frameP95 = steps[Math.floor(steps.length * 0.95)];
    const longTaskFrames = window.__longTaskStarts.map((t) => frameStarts.filter((f) => f <= t).length);
    return { ms: performance.now() - started, frames, longTasks: window.__longTasks, longTaskFrames, frameP50, frameP95, lastLine: Math.max(...cells.filter((n) => Number.isFinite(n))) };
  })()`) as Omit<GridScroll, 'loadMs'>;
  return { ...scroll, loadMs };
}

/** A month's run as the billing workflow leaves it awaiting links: the run row and its lines (some unlinked). */
export async function seedGridMonth(stack: TestStack, merchantId: string): Promise<void> {
  const id = billingRunId(merchantId, GRID_MONTH);
  await stack.db.insertInto('billing_sync_runs').values({ id, merchant_id: merchantId, month: GRID_MONTH, workflow_id: billingWorkflowId(merchantId, GRID_MONTH),
    source: 'bss', csv_content: null, status: 'awaiting-links', proposal_version: null, report: null }).execute();
  const rows = Array.from({ length: GRID_LINES }, (_, i) => ({
    run_id: id, line_no: i + 1, customer: `Customer ${Math.floor(i / 25) + 1} Pty Ltd`, contract_id: `SUB-${10_000 + i}`,
    product: ['Microsoft 365 Business Basic', 'Azure Plan', 'Exchange Online (Plan 1)', 'Defender for Business'][i % 4],
    billing_period: 'Monthly', commitment_period: i % 3 ? 'monthly' : 'annual', units: (i % 40) + 1, cost_minor: 600 + (i % 7) * 100,
    effective_date: `${GRID_MONTH}-01`, company_id: i % 50 ? 1000 + Math.floor(i / 25) : null, company_source: i % 50 ? 'suggested' as const : null,
    agreement_id: i % 50 ? 2000 + Math.floor(i / 25) : null, agreement_source: i % 50 ? 'suggested' as const : null,
    product_id: 3000 + (i % 4), product_source: 'remembered' as const,
  }));
  for (let i = 0; i < rows.length; i += 1000) await stack.db.insertInto('billing_sync_lines').values(rows.slice(i, i + 1000)).execute();
}

function summariseProfile(profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[]; samples?: number[]; timeDeltas?: number[] }): void {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  (profile.samples ?? []).forEach((id, i) => {
    const f = nodes.get(id)!.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}:${f.columnNumber}`;
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
  });
  for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) process.stdout.write(`  ${round(ms)} ms  ${name}\n`);
}

function summariseTrace(buffer: Buffer): void {
  const events = (JSON.parse(buffer.toString()).traceEvents ?? []) as { name: string; ph: string; dur?: number; tid: number; pid: number; args?: any }[];
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const byName = new Map<string, { ms: number; n: number }>();
  for (const e of events) {
    if (e.ph !== 'X' || !e.dur || !main || e.tid !== main.tid || e.pid !== main.pid) continue;
    const x = byName.get(e.name) ?? { ms: 0, n: 0 };
    x.ms += e.dur / 1000;
    x.n++;
    byName.set(e.name, x);
  }
  const layouts = events.filter((e) => e.name === 'Layout' && e.tid === main?.tid && e.pid === main?.pid && e.args?.beginData);
  const mean = (f: (e: typeof layouts[number]) => number) => round(layouts.reduce((sum, e) => sum + f(e), 0) / Math.max(1, layouts.length));
  process.stdout.write(`  layouts ${layouts.length}: mean dirty objects ${mean((e) => e.args.beginData.dirtyObjects)} of ${mean((e) => e.args.beginData.totalObjects)}, `
    + `mean ${mean((e) => (e.dur ?? 0) / 1000)} ms (thread ${mean((e) => ((e as any).tdur ?? 0) / 1000)} ms); roots e.g. ${JSON.stringify(layouts[50]?.args?.endData?.layoutRoots ?? layouts[50]?.args?.endData)?.slice(0, 300)}\n`);
  // A task's wall time counts the time the OS gave the thread to others (a busy machine); its thread time does not.
  const tasks = events.filter((e) => e.name === 'RunTask' && e.tid === main?.tid && e.pid === main?.pid && (e.dur ?? 0) > 50_000) as { dur: number; tdur?: number }[];
  const all = events.filter((e) => e.name === 'RunTask' && e.tid === main?.tid && e.pid === main?.pid) as { dur: number; tdur?: number }[];
  process.stdout.write(`  main thread: ${round(all.reduce((sum, t) => sum + (t.tdur ?? 0), 0) / 1000)} ms of thread time in tasks\n`);
  process.stdout.write(`  tasks over 50 ms (wall): ${tasks.length}; their thread times: ${tasks.map((t) => round((t.tdur ?? 0) / 1000)).join(', ')} ms\n`);
  // What each long task was made of: the main thread's events inside it, summed by name (nested ones count twice).
  for (const t of tasks as { ts: number; dur: number }[]) {
    const inside = new Map<string, number>();
    for (const e of events as { name: string; ph: string; ts: number; dur?: number; tid: number; pid: number }[]) {
      if (e.ph !== 'X' || !e.dur || e.tid !== main!.tid || e.pid !== main!.pid || e.name === 'RunTask' || e.ts < t.ts || e.ts + e.dur > t.ts + t.dur) continue;
      inside.set(e.name, (inside.get(e.name) ?? 0) + e.dur / 1000);
    }
    process.stdout.write(`    ${round(t.dur / 1000)} ms: ${[...inside].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([n, ms]) => `${n} ${round(ms)}`).join(', ')}\n`);
  }
  for (const [name, x] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) process.stdout.write(`  ${name.padEnd(40)} ${round(x.ms)} ms in ${x.n}\n`);
}

export interface ConsoleBenchWorld {
  browser: Browser;
  /** The API's address, which serves the built console. */
  base: string;
  /** The signed-in merchant admin's session cookie, for each new browser context. */
  cookie: { name: string; value: string; url: string; httpOnly: boolean; sameSite: 'Lax' };
}

/**
 * The console's benchmark world: the built console, the bench's servers, a stack with an API (no workers), a merchant
 * with a signed-in admin and a 5,000-line month, and Chromium; all closed again after `run`.
 */
export async function withConsoleBenchWorld<T>(name: string, run: (w: ConsoleBenchWorld) => Promise<T>): Promise<T> {
  const executablePath = chromiumExecutable();
  if (!executablePath) throw new Error('the console benchmark needs Chromium (apt-get install -y chromium, or CHROMIUM_PATH)');
  await ensureConsoleBuilt();
  const s = await startBenchStack();
  let stack: TestStack | undefined;
  let browser: Browser | undefined;
  try {
    await publishBenchServers(s);
    stack = await startTestStack({ roles: [] });
    const base = stack.api!.url;
    const merchant = await createTestMerchant(stack, name);
    const admin = await consoleUser(stack, merchant.merchantId, { email: 'bench@console.example', role: 'admin' });
    await seedGridMonth(stack, merchant.merchantId);
    browser = await chromium.launch({ executablePath });
    return await run({ browser, base, cookie: { name: 'settle_session', value: admin.cookie.split('=')[1], url: base, httpOnly: true, sameSite: 'Lax' } });
  } finally {
    await browser?.close();
    await stack?.close();
    await s.close();
  }
}

async function main(runs: number): Promise<void> {
  await withConsoleBenchWorld('Console Grid MSP', async ({ browser, base, cookie }) => {
    for (let i = 1; i <= runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      await context.addCookies([cookie]);
      const page = await context.newPage();
      await observeLongTasks(page);
      // GRID_TRACE=1: a Chromium trace of the first run, summed by event on the page's main thread (where the time goes).
      const trace = i === 1 && process.env.GRID_TRACE ? true : false;
      if (trace) await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink'] });
      // GRID_PROFILE=1: V8's CPU profile of the first run, self time by function.
      const profile = i === 1 && process.env.GRID_PROFILE ? await context.newCDPSession(page) : undefined;
      if (profile) { await profile.send('Profiler.enable'); await profile.send('Profiler.setSamplingInterval', { interval: 200 }); await profile.send('Profiler.start'); }
      // GRID_SLOWDOWN=N: Chromium's CPU throttling, N times slower: the grid's own work, magnified above the noise of a
      // shared machine (a frame that takes 10 ms takes about 10·N).
      if (process.env.GRID_SLOWDOWN) await (await context.newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: Number(process.env.GRID_SLOWDOWN) });
      const r = await scrollGridToEnd(page, base);
      if (profile) summariseProfile((await profile.send('Profiler.stop')).profile);
      if (trace) summariseTrace(await browser.stopTracing());
      await context.close();
      const longest = r.longTasks.length ? Math.max(...r.longTasks) : 0;
      process.stdout.write(`run ${i}: load ${r.loadMs} ms, scrolled to line ${r.lastLine} in ${r.frames} frames (${round(r.ms)} ms; a frame p50 ${round(r.frameP50)} ms, p95 ${round(r.frameP95)} ms), `
        + `${r.longTasks.length} long tasks, longest ${round(longest)} ms [${r.longTasks.map((ms, k) => `${round(ms)} in frame ${r.longTaskFrames[k]}`).join(', ')}]\n`);
    }
  });
}

if (require.main === module) {
  main(Number(process.argv[2] ?? 3)).then(() => process.exit(0), (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
