// The email templates: each renders a text and an HTML part that say the same thing, with everything the payer or
// merchant typed escaped in the HTML, and nothing in them that the email does not need.
import { invoiceReminderTemplate, paymentDeclinedTemplate, paymentReceiptTemplate, refundConfirmationTemplate } from '../../lib/mail/templates';
import { formatAmount } from '../../lib/money';

const hostile = 'Bob <script>alert(1)</script> & Co';

describe('payment receipt', () => {
  const mail = paymentReceiptTemplate({ name: hostile, merchantName: 'Acme IT', what: 'invoices INV-1, INV-2', amount: '1234.50', currency: 'AUD', method: 'bank_debit', paidOn: '2026-03-04' });

  it('says what was paid, how much, how and when, in both parts', () => {
    expect(mail.subject).toBe('Receipt: 1234.50 AUD paid to Acme IT');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('Acme IT received your payment of 1234.50 AUD for invoices INV-1, INV-2.');
      expect(part).toContain('Paid by bank debit on 2026-03-04.');
    }
  });

  it('says nothing of parts when every invoice was paid in full', () => {
    expect(mail.text).not.toMatch(/part payment|still owed/);
  });

  it('says which invoices it paid only part of, and what each still owes', () => {
    const part = paymentReceiptTemplate({ name: 'Dana', merchantName: 'Acme IT', what: 'invoices INV-1, INV-2', amount: '150.00', currency: 'USD', method: 'card', paidOn: '2026-03-04',
      parts: [{ number: 'INV-2', paid: '50.00', owed: '120.00', left: '70.00' }] });
    for (const body of [part.text, part.html]) {
      expect(body).toContain('This was a part payment: 50.00 USD of the 120.00 USD invoice INV-2 owed; 70.00 USD is still owed.');
      expect(body).not.toContain('INV-1 owed');
    }
  });

  it('escapes the payer\'s name in the HTML part and keeps it as typed in the text part', () => {
    expect(mail.text).toContain(`Hello ${hostile},`);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('Bob &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
  });
});

describe('payment declined', () => {
  const retryUrl = 'https://pay.example/pay/q/tok?x=1&y=2';
  const mail = paymentDeclinedTemplate({ name: 'Dana', merchantName: 'Acme IT', what: 'quote Q-7', amount: '99.00', currency: 'USD', failure: 'Your card was declined.', retryUrl });

  it('gives the reason and the link to pay again, as a button and as a plain address', () => {
    expect(mail.subject).toBe('Your payment to Acme IT did not go through');
    expect(mail.text).toContain('Your payment of 99.00 USD for quote Q-7 did not go through (Your card was declined.).');
    expect(mail.text).toContain(`Pay now: ${retryUrl}`);
    expect(mail.html).toContain('href="https://pay.example/pay/q/tok?x=1&amp;y=2"');
    expect(mail.html).toContain('>Pay now</a>');
  });
});

describe('refund confirmation', () => {
  const refund = (partial: boolean) => refundConfirmationTemplate({ name: hostile, merchantName: 'Acme & Sons IT', what: 'quote Q-7', amount: formatAmount(12_345, 'NZD'), currency: 'NZD', method: 'card', partial });

  it('says how much was refunded, for what and by whom, in both parts', () => {
    const mail = refund(false);
    expect(mail.subject).toBe('Refund: 123.45 NZD from Acme & Sons IT');
    expect(mail.text).toContain('Acme & Sons IT refunded your payment for quote Q-7: 123.45 NZD.');
    expect(mail.html).toContain('Acme &amp; Sons IT refunded your payment for quote Q-7: 123.45 NZD.');
    for (const part of [mail.text, mail.html]) expect(part).toContain('goes back to the card you paid with');
    expect(mail.html).toContain('<title>Refund: 123.45 NZD from Acme &amp; Sons IT</title>');
    expect(mail.html).not.toContain('<script>');
  });

  it('says when only part was refunded', () => {
    expect(refund(true).text).toContain('refunded part of your payment for quote Q-7');
    expect(refundConfirmationTemplate({ name: 'Dana', merchantName: 'Acme', what: 'invoice INV-1', amount: '5.00', currency: 'AUD', method: 'bank_debit', partial: false }).text)
      .toContain('goes back to the bank account you paid with');
  });
});

describe('invoice reminder', () => {
  const common = { name: 'Dana', merchantName: 'Acme IT', number: 'INV-9', amount: '120.00', currency: 'AUD', dueDate: '2026-12-10',
    payNowUrl: 'https://pay.example/pay/m/mer_1/invoices', optOutUrl: 'https://pay.example/pay/m/mer_1/reminders/opt-out?t=a.b.c' };

  it('says when the invoice is due, before, on and after the day, with the Pay Now and opt-out links', () => {
    expect(invoiceReminderTemplate({ ...common, offset: -3 }).subject).toBe('Reminder: invoice INV-9 from Acme IT is due on 2026-12-10');
    expect(invoiceReminderTemplate({ ...common, offset: 0 }).subject).toBe('Reminder: invoice INV-9 from Acme IT is due today');
    const overdue = invoiceReminderTemplate({ ...common, offset: 7 });
    expect(overdue.subject).toBe('Overdue: invoice INV-9 from Acme IT');
    for (const part of [overdue.text, overdue.html]) {
      expect(part).toContain('was due on 2026-12-10 and is overdue. 120.00 AUD is still to pay.');
      expect(part).toContain('https://pay.example/pay/m/mer_1/invoices');
    }
    expect(overdue.text).toContain(common.optOutUrl);
    expect(overdue.html).toContain('opt-out?t=a.b.c');
  });
});
