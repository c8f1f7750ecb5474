// Reminder emails: the merchant's schedule (on/off, days relative to the due date) and the reminders sent, newest first.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import { isAdmin, useSession } from '../session';
import { Empty, ErrorState, formatDate, Loading, messageOf, Page } from '../ui';

/** "-3, 0, 7, 14" → [-3, 0, 7, 14]; undefined when a part is not a whole number (the API says what else is wrong). */
function parseOffsets(text: string): number[] | undefined {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  const numbers = parts.map(Number);
  return numbers.every((n) => Number.isInteger(n)) ? numbers : undefined;
}

export function Reminders() {
  const admin = isAdmin(useSession());
  return (
    <Page title="Reminders">
      <Schedule admin={admin} />
      <Sent />
    </Page>
  );
}

function Schedule({ admin }: { admin: boolean }) {
  const queries = useQueryClient();
  const settings = useQuery({ queryKey: ['reminder-settings'], queryFn: () => call(api.GET('/v1/merchant/settings/reminders')) });
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const save = useMutation({
    mutationFn: (body: { enabled: boolean; offsets: number[] }) => call(api.PUT('/v1/merchant/settings/reminders', { body })),
    onSuccess: (s) => {
      setNotice({ kind: 'ok', text: s.enabled ? `Reminders are on: ${s.offsets.join(', ')} days from the due date.` : 'Reminders are off.' });
      return queries.invalidateQueries({ queryKey: ['reminder-settings'] });
    },
    onError: (err) => setNotice({ kind: 'error', text: messageOf(err) }),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const offsets = parseOffsets(String(form.get('offsets')));
    if (!offsets) return setNotice({ kind: 'error', text: 'Write the days as whole numbers separated by commas, e.g. -3, 0, 7, 14.' });
    save.mutate({ enabled: form.get('enabled') === 'on', offsets });
  };
  return (
    <section className="card" aria-labelledby="schedule-title">
      <h2 id="schedule-title">Schedule</h2>
      <p className="muted">Payers of outstanding invoices get an email with the Pay Now link on each of these days (negative: before the due date, 0: on the day, positive: after it), at 9:00 in your time zone. Paid invoices, payers on automatic payments and payers who opted out get none.</p>
      {notice && <div className={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>{notice.text}</div>}
      {settings.isPending ? <Loading what="the reminder schedule" /> : settings.error ? <ErrorState error={settings.error} retry={() => settings.refetch()} /> : (
        <form className="filters" onSubmit={submit} aria-label="Reminder schedule" key={`${settings.data.enabled}:${settings.data.offsets.join(',')}`}>
          <div><label className="choice"><input type="checkbox" name="enabled" defaultChecked={settings.data.enabled} disabled={!admin} /> Send reminders</label></div>
          <div><label htmlFor="offsets">Days from the due date</label><input id="offsets" name="offsets" defaultValue={settings.data.offsets.join(', ')} disabled={!admin} /></div>
          <div className="filter-buttons">{admin ? <button type="submit" disabled={save.isPending}>Save</button> : <span className="muted">An admin can change it.</span>}</div>
        </form>
      )}
    </section>
  );
}

function Sent() {
  const list = useQuery({ queryKey: ['reminders'], queryFn: () => call(api.GET('/v1/reminders', { params: { query: { limit: 200 } } })) });
  return (
    <section className="card" aria-labelledby="sent-title">
      <h2 id="sent-title">Sent</h2>
      {list.isPending ? <Loading what="reminders" /> : list.error ? <ErrorState error={list.error} retry={() => list.refetch()} /> : list.data.reminders.length === 0 ? (
        <Empty>No reminders sent yet.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead><tr><th scope="col">Invoice</th><th scope="col">Step</th><th scope="col">Due</th><th scope="col">Amount due</th><th scope="col">Payers</th><th scope="col">Sent</th></tr></thead>
            <tbody>{list.data.reminders.map((r) => (
              <tr key={`${r.invoiceId}:${r.offset}`}>
                <th scope="row">{r.invoiceNumber}</th><td>{r.step}</td><td>{r.dueDate}</td><td>{r.amountDue} {r.currency}</td><td>{r.recipients}</td><td>{formatDate(r.sentAt)}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}
