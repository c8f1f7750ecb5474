// Email addresses inside free text (an SMTP server's reply, an error message): found and masked before the text is
// stored or logged, since an address is personal data.

// Broad on purpose (a host without a dot counts too): masking too much costs nothing, too little leaks.
const EMAIL_ADDRESS = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*/g;

/** `text` with every email address in it replaced by `mask`. */
export function maskEmailAddresses(text: string, mask: string): string {
  return text.replace(EMAIL_ADDRESS, mask);
}
