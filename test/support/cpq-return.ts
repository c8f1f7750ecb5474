// Stands in for the quote in ConnectWise CPQ, where the Pay Now pages send the payer back: a tiny local server that
// answers a page and records each return's query (settle_status, quote_id, …), for the browser tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

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
