// Stands in for the quote in ConnectWise CPQ, where the Pay Now pages send the payer back: a tiny local server that
// answers a page and records each return's query (settle_status, quote_id, …), for the browser tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { quotePaymentWorkflowId } from '../../workflows/quotes/definitions';
import { cspRefusals } from './browser';
import { acceptBody, setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from './quotes';

export interface CpqReturnPage {
  url: string;
  returns: URLSearchParams[];
  close(): Promise<void>;
}

export async function startCpqReturnPage(): Promise<CpqReturnPage> {
  const returns: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://cpq');
    if (url.pathname === '/quotes/return') returns.push(url.searchParams); // not the browser's /favicon.ico
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Quote</title><h1 id="back">Back in CPQ</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/quotes/return`;
  return { url, returns, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

/** A payer's browser on the quote pages: the quote world with a merchant set up, Chromium, and the CPQ return page. */
export interface QuoteBrowserWorld {
  world: QuoteWorld;
  m: QuoteMerchant;
  browser: Browser;
  cpq: CpqReturnPage;
  close(): Promise<void>;
}

export async function startQuoteBrowserWorld(executablePath: string, opts: Parameters<typeof startQuoteWorld>[0] = {}): Promise<QuoteBrowserWorld> {
  const [world, browser, cpq] = await Promise.all([startQuoteWorld(opts), chromium.launch({ executablePath }), startCpqReturnPage()]);
  const close = async () => {
    await browser.close();
    await cpq.close();
    await world.close();
  };
  try {
    return { world, m: await setUpQuoteMerchant(world), browser, cpq, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * A one-time quote of `amount` USD accepted in CPQ (returning to the CPQ page), opened in a new page by a guest who
 * chose to pay by card: the page at the card checkout, the quote payment's workflow, and what the CSP refused.
 */
export async function openQuoteAsGuestByCard(w: Omit<QuoteBrowserWorld, 'close'>, amount: string) {
  const accepted = await w.m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody({ returnUrl: w.cpq.url, oneTime: { amount, currency: 'USD' } }) });
  if (accepted.status !== 201) throw new Error(`CPQ's accept answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
  const quoteId: string = accepted.body.quoteId;
  const handle = w.world.stack.client.workflow.getHandle(quotePaymentWorkflowId(w.m.merchantId, quoteId));
  const page = await w.browser.newPage({ viewport: { width: 900, height: 1000 } });
  const refused = cspRefusals(page);
  await page.goto(accepted.body.payNowUrl);
  await page.getByRole('button', { name: 'Continue as guest' }).click();
  await page.getByRole('button', { name: 'Pay by card' }).click();
  return { quoteId, handle, page, refused };
}
