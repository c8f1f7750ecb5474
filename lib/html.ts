// Escaping text for HTML: the one place every page and email Settle writes (and the emulators' pages) takes it from.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** `value` as text inside HTML, in an element or an attribute value: it can never become markup. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ENTITIES[c]);
}
