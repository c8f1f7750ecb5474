// One payer's browser for the Pay Now page tests over HTTP: follows no redirect by itself, keeps the cookies it is
// given, and sends its Origin on form POSTs (as a browser does). A form is fields by name, or [name, value] pairs
// when a name repeats (a list of checkboxes).
export interface Page {
  status: number;
  location: string;
  text: string;
  headers: Headers;
}

export type FormFields = Record<string, string> | Array<[string, string]>;

export function formBrowser(origin: string) {
  const jar = new Map<string, string>();
  async function send(method: string, url: string, form?: FormFields, headers: Record<string, string> = {}): Promise<Page> {
    const cookie = [...jar].filter(([, v]) => v !== '').map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(new URL(url, origin), {
      method, redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded', origin } : {}), ...headers },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return { status: res.status, location: res.headers.get('location') ?? '', text: await res.text(), headers: res.headers };
  }
  return {
    jar,
    get: (url: string) => send('GET', url),
    post: (url: string, form: FormFields = {}, headers?: Record<string, string>) => send('POST', url, form, headers),
  };
}
export type FormBrowser = ReturnType<typeof formBrowser>;
