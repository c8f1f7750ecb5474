// The part of QBO's SQL-like query language that node-quickbooks sends (and a little more):
//   select * | count(*) from <Entity> [where <field> <op> <value> (and ...)*] [orderby <field> [asc|desc]]
//   [startposition n] [maxresults n]
// with ops = != < > <= >= like in, single-quoted strings (\' escapes), numbers and booleans. QBO has no OR.
// Fields are matched on the objects' QBO JSON: a Ref compares by its value, an email by its Address.
// String comparisons ignore case, as QBO's do.
import type { EntityName } from './state';

export class QueryError extends Error {}

type Literal = string | number | boolean;

interface Condition {
  field: string;
  op: '=' | '!=' | '<' | '>' | '<=' | '>=' | 'like' | 'in';
  values: Literal[];
}

export interface ParsedQuery {
  entity: EntityName;
  count: boolean;
  where: Condition[];
  orderBy?: { field: string; desc: boolean };
  startPosition: number;
  maxResults: number;
}

const ENTITIES: EntityName[] = ['Customer', 'Invoice', 'CreditMemo', 'Payment', 'Item', 'Account', 'Vendor', 'Bill', 'VendorCredit', 'BillPayment'];
const TOKEN = /\s*(?:('(?:\\.|[^'\\])*')|(<=|>=|!=|<>|=|<|>)|([(),*])|(-?\d+(?:\.\d+)?)|([A-Za-z_][\w.]*))/y;

type Token = { kind: 'string' | 'op' | 'punct' | 'number' | 'word'; text: string };

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < query.length) {
    if (/^\s*$/.test(query.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(query);
    if (!m) throw new QueryError(`Encountered unexpected text at position ${pos}: "${query.slice(pos, pos + 20)}"`);
    pos = TOKEN.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'string', text: m[1].slice(1, -1).replace(/\\(.)/g, '$1') });
    else if (m[2] !== undefined) tokens.push({ kind: 'op', text: m[2] === '<>' ? '!=' : m[2] });
    else if (m[3] !== undefined) tokens.push({ kind: 'punct', text: m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: 'number', text: m[4] });
    else tokens.push({ kind: 'word', text: m[5] });
  }
  return tokens;
}

export function parseQuery(query: string): ParsedQuery {
  const tokens = tokenize(query);
  let i = 0;
  const peekWord = (word: string) => tokens[i]?.kind === 'word' && tokens[i].text.toLowerCase() === word;
  const expectWord = (word: string) => {
    if (!peekWord(word)) throw new QueryError(`Encountered "${tokens[i]?.text ?? '<EOF>'}", expected ${word.toUpperCase()}`);
    i++;
  };
  const expectPunct = (p: string) => {
    if (tokens[i]?.text !== p) throw new QueryError(`Encountered "${tokens[i]?.text ?? '<EOF>'}", expected "${p}"`);
    i++;
  };
  const literal = (): Literal => {
    const t = tokens[i++];
    if (!t) throw new QueryError('Encountered <EOF>, expected a value');
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    if (t.kind === 'word' && /^(true|false)$/i.test(t.text)) return t.text.toLowerCase() === 'true';
    throw new QueryError(`Encountered "${t.text}", expected a value`);
  };
  const integer = (): number => {
    const value = literal();
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new QueryError(`"${value}" is not a count`);
    return value;
  };

  expectWord('select');
  let count = false;
  if (tokens[i]?.text === '*') i++;
  else if (peekWord('count')) {
    i++;
    expectPunct('(');
    expectPunct('*');
    expectPunct(')');
    count = true;
  } else throw new QueryError('only "select *" and "select count(*)" are supported');
  expectWord('from');
  const name = tokens[i++]?.text ?? '';
  const entity = ENTITIES.find((e) => e.toLowerCase() === name.toLowerCase());
  if (!entity) throw new QueryError(`Invalid entity: ${name}`);

  const where: Condition[] = [];
  if (peekWord('where')) {
    i++;
    for (;;) {
      const field = tokens[i++];
      if (field?.kind !== 'word') throw new QueryError(`Encountered "${field?.text ?? '<EOF>'}", expected a field name`);
      const opToken = tokens[i++];
      const opText = opToken?.text.toLowerCase();
      if (opText === 'in') {
        expectPunct('(');
        const values = [literal()];
        while (tokens[i]?.text === ',') {
          i++;
          values.push(literal());
        }
        expectPunct(')');
        where.push({ field: field.text, op: 'in', values });
      } else if (opToken?.kind === 'op' || opText === 'like') {
        where.push({ field: field.text, op: opText as Condition['op'], values: [literal()] });
      } else throw new QueryError(`Encountered "${opToken?.text ?? '<EOF>'}", expected an operator`);
      if (!peekWord('and')) break;
      i++;
    }
  }

  let orderBy: ParsedQuery['orderBy'];
  if (peekWord('orderby') || peekWord('order')) {
    if (peekWord('order')) {
      i++;
      expectWord('by');
    } else i++;
    const field = tokens[i++]?.text ?? '';
    let desc = false;
    if (peekWord('asc') || peekWord('desc')) desc = tokens[i++].text.toLowerCase() === 'desc';
    orderBy = { field, desc };
  }
  let startPosition = 1;
  let maxResults = 100;
  while (peekWord('startposition') || peekWord('maxresults')) {
    const word = tokens[i++].text.toLowerCase();
    if (word === 'startposition') startPosition = Math.max(1, integer());
    else maxResults = Math.min(1000, integer());
  }
  if (i < tokens.length) throw new QueryError(`Encountered "${tokens[i].text}" after the end of the query`);
  return { entity, count, where, orderBy, startPosition, maxResults };
}

/** A field of a QBO JSON object by (case-insensitive, dotted) name; Refs give their value, emails their Address. */
function fieldOf(obj: Record<string, unknown>, path: string): unknown {
  let value: unknown = obj;
  for (const part of path.split('.')) {
    if (!value || typeof value !== 'object') return undefined;
    const key = Object.keys(value).find((k) => k.toLowerCase() === part.toLowerCase());
    value = key === undefined ? undefined : (value as Record<string, unknown>)[key];
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return o.value ?? o.Address;
  }
  return value;
}

/** <0, 0, >0, or undefined when the two cannot be compared. */
function compare(value: unknown, literal: Literal): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return String(value) === String(literal).toLowerCase() ? 0 : 1;
  const bothNumeric = typeof value === 'number' || (/^-?\d+(\.\d+)?$/.test(String(value)) && /^-?\d+(\.\d+)?$/.test(String(literal)));
  if (bothNumeric) {
    const b = Number(literal);
    return Number.isNaN(b) ? undefined : Number(value) - b;
  }
  const a = String(value).toLowerCase();
  const b = String(literal).toLowerCase();
  return a < b ? -1 : a > b ? 1 : 0;
}

function like(value: unknown, pattern: Literal): boolean {
  if (value === undefined || value === null) return false;
  const source = String(pattern).split('%').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`, 'is').test(String(value));
}

function matches(obj: Record<string, unknown>, c: Condition): boolean {
  const value = fieldOf(obj, c.field);
  if (c.op === 'like') return like(value, c.values[0]);
  if (c.op === 'in') return c.values.some((v) => compare(value, v) === 0);
  const d = compare(value, c.values[0]);
  if (d === undefined) return false;
  switch (c.op) {
    case '=': return d === 0;
    case '!=': return d !== 0;
    case '<': return d < 0;
    case '>': return d > 0;
    case '<=': return d <= 0;
    case '>=': return d >= 0;
  }
}

/** Runs a parsed query over an entity's objects; answers the QueryResponse body QBO sends. */
export function runQuery(q: ParsedQuery, objects: Record<string, unknown>[]): Record<string, unknown> {
  let rows = objects.filter((o) => q.where.every((c) => matches(o, c)));
  if (q.count) return { totalCount: rows.length };
  if (q.orderBy) {
    const { field, desc } = q.orderBy;
    rows = [...rows].sort((a, b) => (compare(fieldOf(a, field), fieldOf(b, field) as Literal) ?? 0) * (desc ? -1 : 1));
  }
  rows = rows.slice(q.startPosition - 1, q.startPosition - 1 + q.maxResults);
  // QBO leaves the entity key (and the counts) out altogether when nothing matched.
  if (rows.length === 0) return {};
  return { [q.entity]: rows, startPosition: q.startPosition, maxResults: rows.length };
}

/**
 * The document numbers a query is limited to (a `DocNumber =` or `in` condition), lower-cased, or undefined: lets the
 * caller serialise only those documents of a large company instead of all of them (runQuery still applies every
 * condition, so this may only narrow to a superset of the answer).
 */
export function docNumbersOf(q: ParsedQuery): Set<string> | undefined {
  const c = q.where.find((w) => w.field.toLowerCase() === 'docnumber' && (w.op === '=' || w.op === 'in'));
  return c && new Set(c.values.map((v) => String(v).toLowerCase()));
}
