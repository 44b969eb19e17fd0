// The `parapet` command's own verbs (serve, agent, admin, explain): wiring only. bin/parapet.ts
// sends `parapet <product> …` and `parapet configure` to src/cli/rpc.ts before this loads.
import { writeSync } from 'node:fs';
import { Command } from 'commander';
import { loadConfig } from '../src/config.ts';
import { startServer, defaultLogger } from '../src/server.ts';
import { startAgent, apiTarget } from '../src/dataplane-wiring.ts';
import { cleanupNamespaces } from '../src/dataplane/registry.ts';
import { openStore } from '../src/store/open.ts';
import { ensureAccount } from '../src/domain/accounts.ts';
import { systemClock } from '../src/clock.ts';
import { randomIds } from '../src/ids.ts';
import { explain } from '../src/cli/explain.ts';
import { QUOTAS, MAX_QUOTA, setQuota, setPort25Unblocked } from '../src/domain/account-settings.ts';
import type { Services } from '../src/domain/context.ts';
import { releaseBlackhole, endPenalty } from '../src/domain/antiddos/operator.ts';
import { CLI_PRODUCTS } from '../src/cli/rpc.ts';
import { resolveCredentials } from '../src/cli/profiles.ts';

const program = new Command('parapet').description('Parapet: the Alibaba Cloud ECS security plane, self-hosted');
program.addHelpText('after', `
Every API operation, with the aliyun CLI's syntax:
  parapet <product> <Operation> [--Param value ...] [--output cols=A,B rows=Path[]] [--pager] [--waiter expr=Path to=Value]
  products: ${Object.keys(CLI_PRODUCTS).join(', ')}
  parapet <product>                      the product's operations
  parapet <product> <Operation> --help   the operation's parameters
  parapet sg rules|export|import|restore|clone …, exposure, keypair create <name>, status, ssh <instance> [-- command]   (tables; --json for scripts)
  parapet completion bash|zsh            source <(parapet completion bash)
  parapet configure [set|get|list] --profile NAME --mode AK|StsToken|RamRoleArn --access-key-id ID --access-key-secret SECRET [--region R] [--endpoint HOST:PORT]
`);

program.command('serve').description('run the API server (configuration from PARAPET_* environment variables)').action(async () => {
  const stopping = stopOnSignals();
  const config = loadConfig();
  const server = await startServer({ config });
  const b = server.bootstrap;
  if (b !== undefined && b.created && config.rootAccessKeySecret === undefined) {
    // Printed once, on stderr: stdout carries the request log, which is often shipped elsewhere.
    process.stderr.write(
      `\nParapet created account ${b.accountId}.\n` +
      `  root AccessKey ID:     ${b.accessKeyId}\n` +
      `  root AccessKey secret: ${b.accessKeySecret}\n` +
      'Keep the secret now: it is not shown again.\n\n');
  }
  process.stdout.write(`Parapet listening on ${server.url}${server.tls !== undefined ? ` and ${server.tls.url}` : ''} (store: ${server.store.engine})\n`);
  if (server.tls !== undefined) {
    // once, on stderr, at every start: clients must trust this CA to reach the TLS listener
    process.stderr.write(`Parapet's TLS certificates are signed by its local CA (${server.tls.made.ca ? 'made now' : 'kept from an earlier start'}): ${server.tls.caFile}\n` +
      `  trust it with NODE_EXTRA_CA_CERTS=${server.tls.caFile} (Node), SSL_CERT_FILE (OpenSSL tools), curl --cacert\n`);
  }
  stopping.with(() => server.close());
});

program.command('agent')
  .description('run the data-plane agent for this Linux host (root): namespaces, bridges, nftables, sshd, metadata')
  .option('--cleanup', 'remove every namespace a previous agent left behind, then exit')
  .action(async (o: { cleanup?: boolean }) => {
    const config = loadConfig();
    if (o.cleanup === true) {
      const removed = await cleanupNamespaces(config.dataplaneDir, config.dataplanePrefix);
      process.stdout.write(removed.length === 0 ? 'nothing to remove\n' : `removed ${removed.length} namespaces: ${removed.join(' ')}\n`);
      return;
    }
    const stopping = stopOnSignals();
    const log = defaultLogger(config.logLevel);
    const store = await openStore(config);
    const services = { store, clock: systemClock, ids: randomIds, limits: config.limits, publicIpPool: config.publicIpPool, antiddos: config.antiddos };
    const api = config.apiUrl !== undefined ? apiTarget(config.apiUrl) : { host: '127.0.0.1', port: config.port };
    // the server's TLS listener is on the same host as its plain one, at PARAPET_TLS_PORT
    const apiTls = config.tlsPort !== undefined ? { host: api.host, port: config.tlsPort } : undefined;
    const agent = await startAgent({ services, config, log, api, apiTls });
    process.stdout.write(`Parapet agent running (store: ${store.engine}, namespaces: ${config.dataplanePrefix}*)\n`);
    stopping.with(async () => {
      await agent.stop();
      await store.close();
      // the terminal may be gone (SIGHUP): then the last lines are lost, and nothing else
      try { log.destination.flushSync(); } catch { /* see above */ }
    });
  });

const admin = program.command('admin').description('administration that works on the store directly');
admin.command('create-account')
  .description('create another account with a root AccessKey and print it as JSON')
  .option('--account-id <id>', '16-digit account id (random when omitted)')
  .option('--access-key-id <id>', 'root AccessKey id (random when omitted)')
  .option('--access-key-secret <secret>', 'root AccessKey secret (random when omitted)')
  .action(async (o: { accountId?: string; accessKeyId?: string; accessKeySecret?: string }) => {
    const config = loadConfig();
    const store = await openStore(config);
    try {
      const a = await ensureAccount({ store, clock: systemClock, ids: randomIds, limits: config.limits }, o);
      process.stdout.write(JSON.stringify({ AccountId: a.accountId, AccessKeyId: a.accessKeyId, AccessKeySecret: a.accessKeySecret, Created: a.created }) + '\n');
    } finally {
      await store.close();
    }
  });

admin.command('set-quota')
  .description('set one quota of an account (a DescribeAccountAttributes name, e.g. max-security-groups); a running server honours it at once')
  .requiredOption('--account <id>', '16-digit account id')
  .requiredOption('--name <attribute>', `the quota: ${QUOTAS.map((q) => q.name).join(', ')}`)
  .requiredOption('--value <n>', `a whole number from 0 to ${MAX_QUOTA}, or \`default\` for the configured value`)
  .action(async (o: { account: string; name: string; value: string }) => {
    await withStore(async (svc) => {
      const r = await setQuota(svc, o.account, o.name, o.value);
      process.stdout.write(JSON.stringify({ AccountId: o.account, AttributeName: r.name, Value: r.value, Overridden: r.overridden }) + '\n');
    });
  });
admin.command('unblock-port25')
  .description('lift the platform rule that drops outbound TCP 25 to the internet for one account (--block puts it back)')
  .requiredOption('--account <id>', '16-digit account id')
  .option('--block', 'put the block back')
  .action(async (o: { account: string; block?: boolean }) => {
    await withStore(async (svc) => {
      await setPort25Unblocked(svc, o.account, o.block !== true);
      process.stdout.write(JSON.stringify({ AccountId: o.account, Port25Blocked: o.block === true }) + '\n');
    });
  });
admin.command('release-blackhole')
  .description('end the black hole of a public address now (Anti-DDoS Basic); the agent lifts it at its next round')
  .argument('<ip>', 'the black-holed public address')
  .action(async (ip: string) => {
    await withStore(async (svc) => {
      const r = await releaseBlackhole(svc, ip);
      process.stdout.write(JSON.stringify({ InternetIp: r.ip, Released: true, ...(r.eventId !== undefined ? { EventId: r.eventId } : {}) }) + '\n');
    });
  });
admin.command('end-penalty')
  .description('end a penalty for an outbound attack now, accepting its appeal if there is one; the agent restores the outbound internet at its next round')
  .argument('<id>', 'the penalty id (DescribePenalties), or the penalized public address')
  .action(async (id: string) => {
    await withStore(async (svc) => {
      const r = await endPenalty(svc, id);
      process.stdout.write(JSON.stringify({ PenaltyId: r.penaltyId, InternetIp: r.ip, Ended: true, AppealAccepted: r.appealAccepted }) + '\n');
    });
  });

/** Runs an admin command on the configured store, closed afterwards. */
async function withStore(fn: (svc: Services) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const store = await openStore(config);
  try {
    await fn({ store, clock: systemClock, ids: randomIds, limits: config.limits, antiddos: config.antiddos });
  } finally {
    await store.close();
  }
}

program.command('explain')
  .description('explain whether a flow reaches (or leaves) an instance, and why (CheckNetworkAccess)')
  .requiredOption('--region <id>', 'region id')
  .option('--instance <id>', 'instance id')
  .option('--eni <id>', 'network interface id')
  .requiredOption('--direction <dir>', 'ingress or egress')
  .requiredOption('--protocol <p>', 'tcp, udp, icmp or gre')
  .option('--port <n>', 'the instance\'s port (ingress) or the remote port (egress)')
  .requiredOption('--peer <ip>', 'the remote address')
  .option('--peer-port <n>', 'the remote port (ingress) or the local port (egress)')
  .option('--nic-type <t>', 'intranet or internet (classic network)')
  .option('--endpoint <host:port>', 'Parapet API endpoint (default: PARAPET_ENDPOINT, the profile\'s, 127.0.0.1:8080)')
  .option('--profile <name>', 'the profile of ~/.aliyun/config.json (parapet configure) to sign with')
  .action(async (o: { region: string; instance?: string; eni?: string; direction: string; protocol: string; port?: string; peer: string; peerPort?: string; nicType?: string; endpoint?: string; profile?: string }) => {
    // the credentials of the API commands (src/cli/profiles.ts); the server's own root key from its environment last
    const env = { ...process.env };
    if (env['ALIBABA_CLOUD_ACCESS_KEY_ID'] === undefined && env['PARAPET_ROOT_ACCESS_KEY_ID'] !== undefined && env['PARAPET_ROOT_ACCESS_KEY_SECRET'] !== undefined && o.profile === undefined) {
      env['ALIBABA_CLOUD_ACCESS_KEY_ID'] = env['PARAPET_ROOT_ACCESS_KEY_ID'];
      env['ALIBABA_CLOUD_ACCESS_KEY_SECRET'] = env['PARAPET_ROOT_ACCESS_KEY_SECRET'];
    }
    const { endpoint, accessKeyId, accessKeySecret, securityToken } = resolveCredentials({ ...(o.endpoint !== undefined ? { endpoint: o.endpoint } : {}), ...(o.profile !== undefined ? { profile: o.profile } : {}) }, env);
    const text = await explain({ endpoint, accessKeyId, accessKeySecret, ...(securityToken !== undefined ? { securityToken } : {}) }, {
      regionId: o.region, direction: o.direction, protocol: o.protocol, peer: o.peer,
      ...(o.instance ? { instanceId: o.instance } : {}), ...(o.eni ? { networkInterfaceId: o.eni } : {}), ...(o.port ? { port: o.port } : {}),
      ...(o.peerPort ? { peerPort: o.peerPort } : {}), ...(o.nicType ? { nicType: o.nicType } : {}),
    });
    process.stdout.write(text + '\n');
  });

/** What stops `serve` and `agent`: Ctrl-C, `kill`, the terminal closing. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Listens for the stop signals from the moment a long-running command starts; `with(stop)` says
 * what to run once it is up. The first signal runs `stop` (at once, or as soon as the start is
 * over), then the process exits: 0 when `stop` finished, 1 when it failed.
 * INVARIANT: no signal ends the process while it stops; the listeners stay until exit. Ctrl-C
 * signals every process of the terminal's group and tsx's CLI (under `npm start`) relays it to
 * this process again, so a second signal during cleanup is common. With `process.once` the
 * listener was gone by then, Node restored the default action, and that second signal killed the
 * process mid-cleanup (docs/DATAPLANE.md, "Stopping").
 */
function stopOnSignals(): { with(stop: () => Promise<void>): void } {
  let received: NodeJS.Signals | undefined;
  let stop: (() => Promise<void>) | undefined;
  let started = false;
  const begin = () => {
    if (received === undefined || stop === undefined || started) return;
    started = true;
    stop().then(() => process.exit(0), (err: unknown) => {
      say(`parapet: stopping failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exit(1);
    });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (received !== undefined) {
      say(`parapet: ${signal}: still stopping (removing what the data plane made); exits when done\n`);
      return;
    }
    received = signal;
    // the terminal is gone: a late write to it must not end the process with an EIO error
    if (signal === 'SIGHUP') for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
    say(stop === undefined ? `parapet: ${signal}: stopping as soon as the start is over\n` : `parapet: ${signal}: stopping\n`);
    begin();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return { with: (fn) => { stop = fn; begin(); } };
}

/** A line on stderr that never throws: after SIGHUP the terminal is gone and writes fail (EIO). */
function say(line: string): void {
  try { writeSync(2, line); } catch { /* no terminal left to tell */ }
}

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`parapet: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
