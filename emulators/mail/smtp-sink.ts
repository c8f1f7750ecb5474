// A real SMTP server (smtp-server) that keeps what arrives, parsed (mailparser): the sandbox's mail server and the
// tests'. It can be stopped and started again on the same port (a mail server down for a while), refuse recipients
// for good (5xx), or answer "try later" (4xx) to the next messages.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  url: string;
  received: ParsedMail[];
  /** Recipients answered 550 at RCPT TO. */
  refuse: Set<string>;
  /** Answer the next n messages 451 (try later) after their data. */
  deferNext(n: number): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpSink(opts: { port?: number } = {}): Promise<SmtpSink> {
  const received: ParsedMail[] = [];
  const refuse = new Set<string>();
  let defer = 0;
  let server: SMTPServer | undefined;
  let port = opts.port ?? 0;
  const make = () => new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onRcptTo(address, _session, callback) {
      if (refuse.has(address.address.toLowerCase())) return callback(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        if (defer > 0) {
          defer--;
          return callback(Object.assign(new Error('4.3.0 try again later'), { responseCode: 451 }));
        }
        received.push(mail);
        callback();
      }, callback);
    },
  });
  const start = async () => {
    server = make();
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
    port = (server.server.address() as AddressInfo).port;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await start();
  return {
    url: `smtp://127.0.0.1:${port}`,
    received, refuse,
    deferNext(n) {
      defer = n;
    },
    stop, start, close: stop,
  };
}
