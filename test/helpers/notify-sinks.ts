// Where Security Center's notifications land in tests: a local SMTP server (npm `smtp-server`)
// that keeps each message, and a local HTTP server that keeps each webhook with its signature
// header, answering 500 to the first `failures` (to see the retry) and 200 after.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface MailSink { port: number; mails: Array<{ to: string; data: string }>; close(): Promise<void> }
export interface WebhookSink { url: string; hooks: Array<{ status: number; body: string; signature: string }>; failures: number; close(): void }

export async function startMailSink(): Promise<MailSink> {
  const mails: MailSink['mails'] = [];
  const smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c: Buffer) => { data += c.toString('utf8'); });
      stream.on('end', () => { mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), data }); cb(); });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  return { port: (smtp.server.address() as AddressInfo).port, mails, close: () => new Promise<void>((resolve) => smtp.close(() => resolve())) };
}

/** `path`: the path of the URL the sink is known by (any path reaches it). */
export async function startWebhookSink(failures = 0, path = '/alerts'): Promise<WebhookSink> {
  const sink: WebhookSink = { url: '', hooks: [], failures, close: () => { server.close(); } };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      const status = sink.failures > 0 ? 500 : 200;
      if (sink.failures > 0) sink.failures--;
      sink.hooks.push({ status, body, signature: String(req.headers['x-parapet-signature']) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  return sink;
}
