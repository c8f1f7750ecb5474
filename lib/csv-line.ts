// One line of a CSV file split into its fields, shared by the CSV importers (BPAY files, BSS billing exports). They
// read line by line so a malformed row is reported on its own line and never swallows the rows after it.

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Fields of one CSV line: commas separate, "double quotes" enclose, "" inside quotes is one quote. */
export function splitLine(line: string): Parsed<string[]> {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let start = i;
    while (line[start] === ' ' || line[start] === '\t') start++;
    if (line[start] === '"') {
      let value = '';
      i = start + 1;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) return { ok: false, reason: `column ${fields.length + 1} opens a quote that is not closed on this line` };
        value += line.slice(i, close);
        i = close + 1;
        if (line[i] !== '"') break;
        value += '"';
        i++;
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      fields.push(value);
      if (i === line.length) return { ok: true, value: fields };
      if (line[i] !== ',') return { ok: false, reason: `column ${fields.length} has text after its closing quote` };
      i++;
    } else {
      const comma = line.indexOf(',', i);
      fields.push(line.slice(i, comma < 0 ? line.length : comma));
      if (comma < 0) return { ok: true, value: fields };
      i = comma + 1;
    }
  }
}
