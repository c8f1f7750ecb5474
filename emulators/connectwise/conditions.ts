// Manage's `conditions` query language, as much as Settle and its tests use: `field op value` joined by `and`/`or`,
// parentheses, fields as paths (`company/id`), strings in double quotes (backslash escapes), numbers, true/false/null,
// dates in [brackets]; operators =, !=, <, <=, >, >=, contains, like (% wildcards), in (…), not in (…). String
// comparisons ignore case, as Manage's do. An unparseable condition is the client's error (400), as in Manage.

type Value = string | number | boolean | null | Value[];
type Node =
  | { type: 'and' | 'or'; left: Node; right: Node }
  | { type: 'compare'; field: string; op: string; value: Value };

export class ConditionError extends Error {}

const TOKEN = /\s*(\(|\)|,|"(?:[^"\\]|\\.)*"|\[[^\]]*\]|<=|>=|!=|=|<|>|[A-Za-z_][\w/.]*|-?\d+(?:\.\d+)?)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw new ConditionError(`cannot read the condition at "${text.slice(at, at + 20)}"`);
    tokens.push(m[1]);
    at = TOKEN.lastIndex;
  }
  return tokens;
}

function literal(token: string | undefined): Value {
  if (token === undefined) throw new ConditionError('a value is missing');
  if (token.startsWith('"')) return token.slice(1, -1).replace(/\\(.)/g, '$1');
  if (token.startsWith('[')) return token.slice(1, -1);
  if (/^-?\d/.test(token)) return Number(token);
  const word = token.toLowerCase();
  if (word === 'true' || word === 'false') return word === 'true';
  if (word === 'null') return null;
  throw new ConditionError(`${token} is not a value (quote strings)`);
}

export function parseConditions(text: string): Node {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i]?.toLowerCase();
  const expression = (): Node => {
    let left = term();
    while (peek() === 'and' || peek() === 'or') {
      const type = tokens[i++].toLowerCase() as 'and' | 'or';
      left = { type, left, right: term() };
    }
    return left;
  };
  const term = (): Node => {
    if (tokens[i] === '(') {
      i++;
      const inner = expression();
      if (tokens[i++] !== ')') throw new ConditionError('a parenthesis is not closed');
      return inner;
    }
    const field = tokens[i++];
    if (!field || !/^[A-Za-z_]/.test(field)) throw new ConditionError('a field name is missing');
    let op = tokens[i++]?.toLowerCase();
    if (op === 'not' && peek() === 'in') op = `not ${tokens[i++].toLowerCase()}`;
    if (!op || !['=', '!=', '<', '<=', '>', '>=', 'contains', 'like', 'in', 'not in'].includes(op)) throw new ConditionError(`unknown operator ${op}`);
    if (op === 'in' || op === 'not in') {
      if (tokens[i++] !== '(') throw new ConditionError(`${op} takes a list in parentheses`);
      const values: Value[] = [];
      while (tokens[i] !== ')') {
        values.push(literal(tokens[i++]));
        if (tokens[i] === ',') i++;
        else if (tokens[i] !== ')') throw new ConditionError('list values are separated by commas');
      }
      i++;
      return { type: 'compare', field, op, value: values };
    }
    return { type: 'compare', field, op, value: literal(tokens[i++]) };
  };
  const node = expression();
  if (i !== tokens.length) throw new ConditionError(`unexpected ${tokens[i]}`);
  return node;
}

function read(record: unknown, path: string): unknown {
  let at: unknown = record;
  for (const part of path.split('/')) {
    if (at === null || typeof at !== 'object') return undefined;
    const key = Object.keys(at).find((k) => k.toLowerCase() === part.toLowerCase());
    at = key === undefined ? undefined : (at as Record<string, unknown>)[key];
  }
  return at;
}

const norm = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v ?? null);

function compare(actual: unknown, op: string, expected: Value): boolean {
  const a = norm(actual);
  if (op === 'in' || op === 'not in') {
    const found = (expected as Value[]).some((e) => norm(e) === a);
    return op === 'in' ? found : !found;
  }
  const e = norm(expected);
  switch (op) {
    case '=': return a === e;
    case '!=': return a !== e;
    case 'contains': return typeof a === 'string' && typeof e === 'string' && a.includes(e);
    case 'like': {
      if (typeof a !== 'string' || typeof e !== 'string') return false;
      const pattern = e.split('%').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
      return new RegExp(`^${pattern}$`).test(a);
    }
    default: {
      if (a === null || e === null) return false;
      const [x, y] = [a as string | number, e as string | number];
      return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
    }
  }
}

export function matches(node: Node, record: unknown): boolean {
  if (node.type === 'compare') return compare(read(record, node.field), node.op, node.value);
  return node.type === 'and' ? matches(node.left, record) && matches(node.right, record) : matches(node.left, record) || matches(node.right, record);
}

/** The records a `conditions` parameter selects (all of them when there is none). */
export function filterByConditions<T>(records: T[], conditions: string | null): T[] {
  if (!conditions) return records;
  const node = parseConditions(conditions);
  return records.filter((r) => matches(node, r));
}
