// HTML for the Pay Now pages, written as `html` tagged templates: every interpolated value is escaped unless it is
// itself the result of `html`, so a customer's company name or a processor's message can never become markup.

/** Markup that is already safe (built by `html`); anything else interpolated into `html` is escaped. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

import { escapeHtml } from '../../lib/html';

/** What may be interpolated: text (escaped), safe markup, lists of either, and nothing (null, undefined, false). */
export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return new SafeHtml(out);
}
