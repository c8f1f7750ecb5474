// Xero's `where` query parameter: a small C#-like expression language (Dynamic LINQ on Xero's side). The emulator
// parses what clients realistically send: comparisons (==, =, !=, <>, >, >=, <, <=) on dotted fields, literals
// "text", 12.34, true/false, null, guid("..."), DateTime(y,m,d), .Contains/.StartsWith/.EndsWith("...") and
// .ToLower()/.ToUpper(), joined by AND/&&, OR/|| and NOT/!, with parentheses. String comparisons are exact and
// case-insensitive. An unknown field is refused (as Xero refuses it) so an adapter's typo fails loudly.
import { parseDecimal } from './money';

export type FieldKind = 'string' | 'guid' | 'money' | 'date' | 'bool' | 'number';
/** money: cents; date: YYYY-MM-DD; bool: boolean; others: string or number. */
export type FieldValue = string | number | boolean | undefined;
export type FieldSchema = Record<string, FieldKind>;

export class WhereError extends Error {}

type Literal = { type: 'string'; value: string } | { type: 'number'; text: string } | { type: 'bool'; value: boolean } | { type: 'null' } | { type: 'date'; value: string };
type Node =
  | { op: 'and'; left: Node; right: Node }
  | { op: 'or'; left: Node; right: Node }
  | { op: 'not'; inner: Node }
  | { op: 'cmp'; field: string; cmp: string; literal: Literal }
  | { op: 'method'; field: string; method: string; arg: string };

const TOKEN = /\s*(?:(&&|\|\||==|!=|<>|>=|<=|[()<>=!,.])|("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw new WhereError(`Syntax error at position ${at} of the where clause`);
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  }
  return tokens;
}

function unquote(token: string): string {
  return token.slice(1, -1).replace(/\\(.)/g, '$1');
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: string[]) {}

  private peek(): string | undefined {
    return this.tokens[this.i];
  }
  private next(): string {
    const t = this.tokens[this.i++];
    if (t === undefined) throw new WhereError('Unexpected end of the where clause');
    return t;
  }
  private expect(t: string): void {
    const got = this.next();
    if (got !== t) throw new WhereError(`Expected '${t}' but found '${got}' in the where clause`);
  }

  parse(): Node {
    const node = this.or();
    if (this.i < this.tokens.length) throw new WhereError(`Unexpected '${this.peek()}' in the where clause`);
    return node;
  }
  private or(): Node {
    let left = this.and();
    while (this.peek() === '||' || this.peek()?.toUpperCase() === 'OR') {
      this.next();
      left = { op: 'or', left, right: this.and() };
    }
    return left;
  }
  private and(): Node {
    let left = this.unary();
    while (this.peek() === '&&' || this.peek()?.toUpperCase() === 'AND') {
      this.next();
      left = { op: 'and', left, right: this.unary() };
    }
    return left;
  }
  private unary(): Node {
    if (this.peek() === '!' || this.peek()?.toUpperCase() === 'NOT') {
      this.next();
      return { op: 'not', inner: this.unary() };
    }
    if (this.peek() === '(') {
      this.next();
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    return this.comparison();
  }
  private comparison(): Node {
    const path = [this.ident()];
    while (this.peek() === '.') {
      this.next();
      const name = this.ident();
      if (this.peek() !== '(') {
        path.push(name);
        continue;
      }
      this.next();
      const method = name.toLowerCase();
      if (method === 'tolower' || method === 'toupper') {
        this.expect(')'); // comparisons are case-insensitive already
        continue;
      }
      if (!['contains', 'startswith', 'endswith'].includes(method)) throw new WhereError(`Method '${name}' is not supported`);
      const arg = this.next();
      if (!arg.startsWith('"')) throw new WhereError(`${name} takes a string`);
      this.expect(')');
      return { op: 'method', field: path.join('.'), method, arg: unquote(arg) };
    }
    const cmp = this.next();
    if (!['==', '=', '!=', '<>', '>', '>=', '<', '<='].includes(cmp)) throw new WhereError(`Expected an operator after ${path.join('.')}`);
    return { op: 'cmp', field: path.join('.'), cmp: cmp === '=' ? '==' : cmp === '<>' ? '!=' : cmp, literal: this.literal() };
  }
  private ident(): string {
    const t = this.next();
    if (!/^[A-Za-z_]/.test(t)) throw new WhereError(`Expected a field name but found '${t}'`);
    return t;
  }
  private literal(): Literal {
    const t = this.next();
    if (t.startsWith('"')) return { type: 'string', value: unquote(t) };
    if (/^-?\d/.test(t)) return { type: 'number', text: t };
    const word = t.toLowerCase();
    if (word === 'true' || word === 'false') return { type: 'bool', value: word === 'true' };
    if (word === 'null') return { type: 'null' };
    this.expect('(');
    const args: string[] = [this.next()];
    while (this.peek() === ',') {
      this.next();
      args.push(this.next());
    }
    this.expect(')');
    if (word === 'guid' && args.length === 1 && args[0].startsWith('"')) return { type: 'string', value: unquote(args[0]) };
    if (word === 'datetime' && args.length >= 3 && args.every((a) => /^\d+$/.test(a))) {
      const [y, m, d] = args.map(Number);
      const date = new Date(Date.UTC(y, m - 1, d));
      if (date.getUTCMonth() !== m - 1) throw new WhereError(`DateTime(${args.join(',')}) is not a date`);
      return { type: 'date', value: date.toISOString().slice(0, 10) };
    }
    throw new WhereError(`Unsupported literal ${t}(${args.join(',')})`);
  }
}

/** Parses a where clause; throws WhereError. Fields are checked against `schema` (names case-insensitive). */
export function parseWhere(text: string, schema: FieldSchema, typeName: string): (view: Record<string, FieldValue>) => boolean {
  const node = new Parser(tokenize(text)).parse();
  const fields = new Map(Object.keys(schema).map((k) => [k.toLowerCase(), k]));
  const check = (n: Node): void => {
    if (n.op === 'and' || n.op === 'or') {
      check(n.left);
      return check(n.right);
    }
    if (n.op === 'not') return check(n.inner);
    if (!fields.has(n.field.toLowerCase())) throw new WhereError(`No property or field '${n.field}' exists in type '${typeName}'`);
  };
  check(node);
  return (view) => evaluate(node, view, schema, fields);
}

function evaluate(n: Node, view: Record<string, FieldValue>, schema: FieldSchema, fields: Map<string, string>): boolean {
  if (n.op === 'and') return evaluate(n.left, view, schema, fields) && evaluate(n.right, view, schema, fields);
  if (n.op === 'or') return evaluate(n.left, view, schema, fields) || evaluate(n.right, view, schema, fields);
  if (n.op === 'not') return !evaluate(n.inner, view, schema, fields);
  const name = fields.get(n.field.toLowerCase())!;
  const value = view[name];
  if (n.op === 'method') {
    if (typeof value !== 'string') return false;
    const [v, arg] = [value.toLowerCase(), n.arg.toLowerCase()];
    return n.method === 'contains' ? v.includes(arg) : n.method === 'startswith' ? v.startsWith(arg) : v.endsWith(arg);
  }
  const order = compare(schema[name], value, n.literal);
  if (order === undefined) return n.cmp === '!=';
  switch (n.cmp) {
    case '==': return order === 0;
    case '!=': return order !== 0;
    case '>': return order > 0;
    case '>=': return order >= 0;
    case '<': return order < 0;
    default: return order <= 0;
  }
}

/** Sign of (field value − literal), or undefined if they cannot be compared (null, wrong type). */
function compare(kind: FieldKind, value: FieldValue, literal: Literal): number | undefined {
  if (literal.type === 'null') return value === undefined ? 0 : 1;
  if (value === undefined) return undefined;
  if (kind === 'money' || kind === 'number') {
    const d = literal.type === 'number' ? parseDecimal(literal.text) : undefined;
    if (!d) throw new WhereError(`Expected a number to compare with`);
    // money fields hold cents: compare value·10^scale with digits·100 exactly.
    const left = BigInt(value as number) * 10n ** BigInt(d.scale);
    const right = kind === 'money' ? d.digits * 100n : d.digits;
    return left === right ? 0 : left > right ? 1 : -1;
  }
  if (kind === 'bool') return literal.type === 'bool' ? (value === literal.value ? 0 : 1) : undefined;
  if (kind === 'date') {
    const other = literal.type === 'date' ? literal.value : literal.type === 'string' ? literal.value.slice(0, 10) : undefined;
    if (other === undefined) throw new WhereError('Expected DateTime(y,m,d) to compare a date with');
    return String(value) === other ? 0 : String(value) > other ? 1 : -1;
  }
  if (literal.type !== 'string') return undefined;
  const [a, b] = [String(value).toLowerCase(), literal.value.toLowerCase()];
  return a === b ? 0 : a > b ? 1 : -1;
}
