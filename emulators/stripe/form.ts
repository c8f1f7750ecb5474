// Stripe's request parameters: form-encoded with brackets for nesting, in the body of a POST and the query of a
// GET. `metadata[quote]=Q-1` is an object, `payment_method_types[0]=card` (what stripe-node sends) and
// `expand[]=customer` (what curl users send) are arrays. The shared server flattens forms into one level and
// keeps only the last of repeated keys, so Stripe's routes decode the raw text themselves.
import type { EmulatorRequest } from '../support/server';
import { invalidRequest } from './errors';

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type Params = { [key: string]: FormValue };

/** Keys that would reach Object.prototype if used as property names. */
const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

function segmentsOf(key: string): string[] | undefined {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) return undefined;
  const rest = [...match[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]);
  return [match[1], ...rest];
}

function assign(target: Params | FormValue[], segments: string[], value: string): void {
  const [head, ...tail] = segments;
  if (UNSAFE.has(head)) return;
  const isArray = Array.isArray(target);
  const index = isArray ? (head === '' ? target.length : Number(head)) : -1;
  if (isArray && !Number.isInteger(index)) return; // `a[0]=x&a[b]=y`: the shape is Stripe's to refuse, not ours to guess
  const read = (): FormValue | undefined => (isArray ? target[index] : (target as Params)[head]);
  const write = (v: FormValue) => (isArray ? (target[index] = v) : ((target as Params)[head] = v));
  if (tail.length === 0) {
    write(value);
    return;
  }
  let child = read();
  if (child === undefined || typeof child === 'string') {
    child = tail[0] === '' || /^\d+$/.test(tail[0]) ? [] : {};
    write(child);
  }
  assign(child, tail, value);
}

export function decodeForm(pairs: Iterable<[string, string]>): Params {
  const out: Params = {};
  for (const [key, value] of pairs) {
    const segments = segmentsOf(key);
    if (segments) assign(out, segments, value);
  }
  return out;
}

/** The parameters of a request: the query (GET) and the form body (POST) together. */
export function paramsOf(req: EmulatorRequest): Params {
  const pairs: [string, string][] = [...req.query];
  const type = String(req.headers['content-type'] ?? '');
  if (req.rawBody && (type === '' || type.includes('x-www-form-urlencoded'))) pairs.push(...new URLSearchParams(req.rawBody));
  return decodeForm(pairs);
}

/** Stripe refuses parameters it does not know; so does the emulator, to catch a typo in Settle's calls. */
export function allowOnly(params: Params, allowed: string[]): void {
  for (const key of Object.keys(params)) {
    if (key !== 'expand' && !allowed.includes(key)) throw invalidRequest(`Received unknown parameter: ${key}`, key, 'parameter_unknown');
  }
}

export function optionalString(params: Params, key: string): string | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`Invalid string: ${key} must be a string`, key);
  return value;
}

export function requiredString(params: Params, key: string): string {
  const value = optionalString(params, key);
  if (value === undefined || value === '') throw invalidRequest(`Missing required param: ${key}.`, key, 'parameter_missing');
  return value;
}

export function optionalInteger(params: Params, key: string): number | undefined {
  const text = optionalString(params, key);
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) throw invalidRequest(`Invalid integer: ${text}`, key);
  return Number(text);
}

export function optionalBoolean(params: Params, key: string): boolean | undefined {
  const text = optionalString(params, key);
  if (text === undefined) return undefined;
  if (text !== 'true' && text !== 'false') throw invalidRequest(`Invalid boolean: ${text}`, key);
  return text === 'true';
}

export function optionalEnum<T extends string>(params: Params, key: string, values: readonly T[]): T | undefined {
  const text = optionalString(params, key);
  if (text === undefined || text === '') return undefined;
  if (!(values as readonly string[]).includes(text)) {
    throw invalidRequest(`Invalid ${key}: must be one of ${values.join(', ')}`, key);
  }
  return text as T;
}

export function optionalStringArray(params: Params, key: string): string[] | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalidRequest(`Invalid array: ${key}`, key);
  return value.filter((v): v is string => v !== undefined);
}

/** Stripe's metadata rules: up to 50 keys, keys up to 40 characters, values up to 500; an empty value unsets. */
export function metadataOf(params: Params, current: Record<string, string> = {}): Record<string, string> {
  const value = params.metadata;
  if (value === undefined || value === '') return value === '' ? {} : { ...current };
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest('Invalid hash: metadata', 'metadata');
  const merged: Record<string, string> = { ...current };
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalidRequest(`Invalid string: metadata[${k}]`, `metadata[${k}]`);
    if (k.length > 40) throw invalidRequest(`Metadata keys can be at most 40 characters: ${k}`, `metadata[${k}]`);
    if (v.length > 500) throw invalidRequest(`Metadata values can be at most 500 characters: ${k}`, `metadata[${k}]`);
    if (v === '') delete merged[k];
    else merged[k] = v;
  }
  if (Object.keys(merged).length > 50) throw invalidRequest('Metadata can have at most 50 keys', 'metadata');
  return merged;
}

/** A canonical text of the parameters (keys sorted) for idempotency: the same request in any key order matches. */
export function fingerprintOf(params: FormValue): string {
  if (typeof params === 'string') return JSON.stringify(params);
  if (Array.isArray(params)) return `[${params.map(fingerprintOf).join(',')}]`;
  return `{${Object.keys(params).sort().map((k) => `${JSON.stringify(k)}:${fingerprintOf(params[k])}`).join(',')}}`;
}
