// Security Center's sender loop (src/domain/security-center/notify.ts): every second it delivers
// the due e-mails (nodemailer, through the operator's SMTP server: PARAPET_SMTP_HOST, _PORT
// (default 587), _SECURE (1: TLS from the start), _USER, _PASSWORD, _FROM) and webhooks (POST JSON,
// `X-Parapet-Signature: sha256=<hex HMAC-SHA256 of the body>`, `X-Parapet-Delivery`, 10 s timeout,
// a status other than 2xx is a failure). Without PARAPET_SMTP_HOST, e-mails fail and are retried.
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Services } from './domain/context.ts';
import { deliverDue, type Senders } from './domain/security-center/notify.ts';

export function webhookSignature(secret: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
}

export function senders(config: Pick<Config, 'smtp'>): Senders {
  const smtp = config.smtp;
  const transport = smtp === undefined ? undefined : nodemailer.createTransport({
    host: smtp.host, port: smtp.port, secure: smtp.secure, ...(smtp.user !== '' ? { auth: { user: smtp.user, pass: smtp.password } } : {}),
    // a local relay without a certificate is usual in self-hosting
    tls: { rejectUnauthorized: false },
  });
  return {
    async email(to, subject, text) {
      if (transport === undefined || smtp === undefined) throw new Error('no SMTP server is configured (PARAPET_SMTP_HOST)');
      await transport.sendMail({ from: smtp.from, to, subject, text });
    },
    async webhook(url, secret, body) {
      const res = await fetch(url, {
        method: 'POST', body, signal: AbortSignal.timeout(10_000),
        headers: { 'content-type': 'application/json', 'x-parapet-signature': webhookSignature(secret, body) },
      });
      await res.arrayBuffer();
      if (res.status < 200 || res.status > 299) throw new Error(`webhook answered ${res.status}`);
    },
  };
}

/** Starts the loop; `stop` ends it after the round in progress. */
export function startNotifier(services: Services, config: Pick<Config, 'smtp'>, log: Logger, intervalMs = 1000): { stop(): Promise<void>; runOnce(): Promise<number> } {
  const s = senders(config);
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const round = async (): Promise<number> => {
    try { return await deliverDue(services, s); } catch (err) { log.warn({ err }, 'security notifications: a round failed'); return 0; }
  };
  const timer = setInterval(() => {
    if (stopped) return;
    running = running.then(round);
  }, intervalMs);
  timer.unref();
  return {
    async stop() { stopped = true; clearInterval(timer); await running; },
    runOnce() { const r = running.then(round); running = r; return r; },
  };
}
