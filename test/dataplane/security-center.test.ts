// Security Center end to end (root): a server with the data plane on, whose agent watches the
// instances that have the Security Center agent (their real sshd's log lines and the listening
// sockets inside their namespaces). From internet addresses of the internet namespace: refused
// logons raise a brute-force alert within 2 s of the 5th and, with an anti-brute-force rule,
// the kernel refuses the attacker's next connection (and nobody else's); a key logon from outside
// the logon baseline raises a suspicious logon; a Redis-port listener inside an instance whose
// group opens 6379 to 0.0.0.0/0 raises a finding naming the rule, and revoking the rule resolves
// it; sshd taking passwords with 22 open to the internet is a finding too, and wrong passwords
// then the right one from one source a serious alert; the e-mail reaches the test's SMTP server and the webhook the test's HTTP server, signed; an
// instance without the agent raises nothing whatever it sees. The server's stop removes every
// namespace; the test checks nothing is left.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EcsModule from '@alicloud/ecs20140526';
import { startMailSink, startWebhookSink, type MailSink, type WebhookSink } from '../helpers/notify-sinks.ts';
import { callRpc } from '../helpers/server.ts';
import { rootTestOptions, nsExec, Prober } from '../helpers/netns.ts';
import { startDataplaneServer, Tenant, addInternetAddresses, leftovers, LINUX, type DataplaneServer } from '../helpers/dataplane.ts';
import { webhookSignature } from '../../src/notifier.ts';

const $ = EcsModule;
const R = 'cn-hangzhou';
const PREFIX = `psc${process.pid % 10000}-`;
const SAS = '2018-12-03';
const PARAPET = '2026-11-01';
const ATTACKER = '203.0.113.66';
const NEIGHBOUR = '203.0.113.67';
const TRAVELLER = '198.51.100.77';
const GUESSER = '203.0.113.68';
const PASSWORD = 'Parapet-Sc-2026!';
const SECRET = 'sc-webhook-secret-0123456789';

interface AlertWire { Id: number; Name: string; Level: string; EventStatus: number; Uuid: string; EventSubType: string; Details: Array<{ NameDisplay: string; Value: string }> }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>, every = 50): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(every);
  }
}

describe('Security Center end to end: real sshd logs, sockets and kernel blocks', rootTestOptions(), () => {
  let dp: DataplaneServer;
  let tenant: Tenant;
  let mail: MailSink;
  let hook: WebhookSink;
  let internet: Prober | undefined;
  let inside: Prober | undefined;
  const tmp = mkdtempSync(join(tmpdir(), 'parapet-sc-'));
  const goodKey = join(tmp, 'good.pem');
  let sg: string;
  let web: { id: string; publicIp: string };
  let pw: { id: string; publicIp: string };
  let bare: { id: string; publicIp: string };

  const S = (action: string, q: Record<string, string> = {}) => callRpc(dp.server.endpoint, action, SAS, q);
  const P = (action: string, q: Record<string, string>) => callRpc(dp.server.endpoint, action, PARAPET, q);
  const alerts = async (q: Record<string, string> = {}) => (await S('DescribeSuspEvents', { PageSize: '100', ...q }))['SuspEvents'] as AlertWire[];
  const detail = (a: AlertWire, name: string) => a.Details.find((d) => d.NameDisplay === name)?.Value;

  /** One ssh logon attempt from `source` (an internet address) to `ip`, by password or key; the exit code. */
  const attempt = async (source: string, ip: string, how: { password: string } | { key: string }): Promise<{ code: number; stderr: string }> => {
    const common = ['-b', source, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR'];
    const args = 'password' in how
      ? ['sshpass', '-p', how.password, 'ssh', ...common, '-o', 'PreferredAuthentications=password', '-o', 'PubkeyAuthentication=no', '-o', 'NumberOfPasswordPrompts=1', `root@${ip}`, 'true']
      : ['ssh', ...common, '-i', how.key, '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', `root@${ip}`, 'id -un'];
    const r = await nsExec(dp.internetNs, args, 15_000);
    return { code: r.code, stderr: r.stderr };
  };

  before(async () => {
    mail = await startMailSink();
    hook = await startWebhookSink(0, '/sas');
    dp = await startDataplaneServer(PREFIX, {
      PARAPET_SMTP_HOST: '127.0.0.1', PARAPET_SMTP_PORT: String(mail.port), PARAPET_SMTP_FROM: 'sas@parapet.test',
    });
    const { ecs, vpc } = dp.clients();
    tenant = new Tenant(ecs, vpc, R);
    const { vpcId, vSwitchId } = await tenant.network('10.63.0.0/16', '10.63.1.0/24', 'cn-hangzhou-i');
    sg = await tenant.group(vpcId);
    await tenant.ingress(sg, [{ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '0.0.0.0/0' }, { ipProtocol: 'tcp', portRange: '6379/6379', sourceCidrIp: '0.0.0.0/0' }]);
    const k = (await ecs.createKeyPair(new $.CreateKeyPairRequest({ regionId: R, keyPairName: 'sc-key' }))).body!;
    writeFileSync(goodKey, k.privateKeyBody!, { mode: 0o600 });
    // a Linux instance takes a key pair or a password: with both, the key pair (password logon off)
    const runOne = async (name: string, agent: boolean, logon: { keyPairName: string } | { password: string }) => {
      const id = (await ecs.runInstances(new $.RunInstancesRequest({
        regionId: R, imageId: LINUX, instanceType: 'ecs.g5.large', vSwitchId, securityGroupId: sg, instanceName: name, internetMaxBandwidthOut: 5,
        ...logon, ...(agent ? { securityEnhancementStrategy: 'Active' } : {}),
      }))).body!.instanceIdSets!.instanceIdSet![0]!;
      const d = (await ecs.describeInstances(new $.DescribeInstancesRequest({ regionId: R, instanceIds: JSON.stringify([id]) }))).body!.instances!.instance![0]!;
      return { id, publicIp: d.publicIpAddress!.ipAddress![0]! };
    };
    web = await runOne('web', true, { keyPairName: 'sc-key' });
    pw = await runOne('pw', true, { password: PASSWORD });
    bare = await runOne('bare', false, { password: PASSWORD });
    await P('ModifySecurityNotification', { Method: 'email', Levels: 'serious,suspicious,remind', Target: 'ops@example.test' });
    await P('ModifySecurityNotification', { Method: 'webhook', Levels: 'serious,suspicious,remind', Target: hook.url, Secret: SECRET });
    await S('CreateAntiBruteForceRule', { Name: 'web-guard', FailCount: '5', Span: '1', ForbiddenTime: '5', 'UuidList.1': web.id });
    await dp.settle(60_000);
    await addInternetAddresses(dp.internetNs, [ATTACKER, NEIGHBOUR, TRAVELLER, GUESSER]);
    internet = await Prober.start(dp.internetNs);
    // both sshd listen (a refused connection here would count as nothing anyway)
    for (const i of [web, pw, bare]) await until(`sshd of ${i.id}`, 20_000, async () => (await internet!.tcpConnect(i.publicIp, 22, 1000, { localAddress: NEIGHBOUR })) === 'open' ? true : undefined, 200);
  });

  after(async () => {
    await inside?.close();
    await internet?.close();
    await dp?.stop();
    await mail?.close();
    hook?.close();
    rmSync(tmp, { recursive: true, force: true });
    assert.deepEqual(leftovers(PREFIX, [web?.id, pw?.id, bare?.id].filter((x): x is string => x !== undefined)), [], 'no namespace left behind');
  });

  test('five refused logons (passwords offered where only keys are taken): a brute-force alert within 2 s of the fifth, then the kernel refuses the attacker only', async () => {
    for (let i = 1; i <= 4; i++) assert.notEqual((await attempt(ATTACKER, web.publicIp, { password: `wrong-${i}` })).code, 0);
    await sleep(300);
    assert.deepEqual((await alerts()).filter((a) => a.Uuid === web.id), [], 'four failures raise nothing');
    assert.notEqual((await attempt(ATTACKER, web.publicIp, { password: 'wrong-5' })).code, 0);
    const t5 = performance.now();
    const alert = await until('the brute-force alert', 2000, async () => (await alerts()).find((a) => a.Uuid === web.id && a.EventSubType === 'brute_force'));
    const ms = performance.now() - t5;
    assert.ok(ms <= 2000, `the alert came ${Math.round(ms)} ms after the fifth failure`);
    assert.equal(alert.Level, 'suspicious');
    assert.equal(detail(alert, 'SourceIp'), ATTACKER);

    // the rule's block: in the instance's own namespace, enforced by the kernel
    await until('the block in the kernel', 2000, async () => {
      const r = await nsExec(web.id, ['nft', 'list', 'set', 'inet', 'parapet_sas', 'blocked4']);
      return r.code === 0 && r.stdout.includes(ATTACKER) ? true : undefined;
    });
    assert.equal(await internet!.tcpConnect(web.publicIp, 22, 2000, { localAddress: ATTACKER }), 'refused', 'the attacker is refused');
    const refused = await attempt(ATTACKER, web.publicIp, { key: goodKey });
    assert.notEqual(refused.code, 0, 'even with the right key');
    assert.match(refused.stderr, /refused/i);
    assert.equal(await internet!.tcpConnect(web.publicIp, 22, 2000, { localAddress: NEIGHBOUR }), 'open', 'anyone else is not');
    const check = await P('CheckNetworkAccess', { RegionId: R, InstanceId: web.id, Direction: 'ingress', IpProtocol: 'tcp', Port: '22', PeerIpAddress: ATTACKER });
    assert.equal(check['Verdict'], 'Drop');
    assert.equal(check['Reason'], 'AntiBruteForce');
  });

  test('a key logon from outside the logon baseline is a suspicious logon', async () => {
    await S('ModifyLoginBaseConfig', { Type: 'login_common_ip', Config: JSON.stringify({ ip: '10.0.0.0/8' }), Target: JSON.stringify([{ target: web.id, targetType: 'uuid' }]) });
    const ok = await attempt(TRAVELLER, web.publicIp, { key: goodKey });
    assert.equal(ok.code, 0, ok.stderr);
    const alert = await until('the unusual logon', 3000, async () => (await alerts()).find((a) => a.Uuid === web.id && a.EventSubType === 'unusual_logon'));
    assert.equal(detail(alert, 'SourceIp'), TRAVELLER);
    assert.equal(detail(alert, 'Method'), 'publickey');
  });

  test('Redis listening inside an instance whose group opens 6379 to the internet: a finding naming the rule; revoking it resolves the finding', async () => {
    inside = await Prober.start(web.id);
    await inside.tcpListen(6379);
    const finding = await until('the risky-listener finding', 5000, async () => (await alerts()).find((a) => a.Uuid === web.id && a.EventSubType === 'risky_listener' && a.EventStatus === 1), 200);
    const attr = (await tenant.ecs.describeSecurityGroupAttribute(new $.DescribeSecurityGroupAttributeRequest({ regionId: R, securityGroupId: sg }))).body!;
    const rule = attr.permissions!.permission!.find((p) => p.portRange === '6379/6379')!;
    assert.equal(detail(finding, 'SecurityGroupId'), sg);
    assert.equal(detail(finding, 'SecurityGroupRuleId'), rule.securityGroupRuleId);
    assert.equal(detail(finding, 'Port'), '6379');
    await tenant.revokeIngress(sg, [{ ipProtocol: 'tcp', portRange: '6379/6379', sourceCidrIp: '0.0.0.0/0' }]);
    await until('the finding resolved', 5000, async () => (await alerts()).find((a) => a.Id === finding.Id && a.EventStatus !== 1), 200);
  });

  test('password logon: sshd taking passwords with 22 open is a finding; wrong passwords then the right one from the same source is serious', async () => {
    const f = await until('the password-SSH finding', 5000, async () => (await alerts()).find((a) => a.Uuid === pw.id && a.EventSubType === 'password_ssh'), 200);
    assert.equal(f.Level, 'suspicious');
    assert.equal(detail(f, 'ListenAddress'), '0.0.0.0');
    assert.equal(detail(f, 'SecurityGroupId'), sg);
    assert.equal((await alerts()).some((a) => a.Uuid === web.id && a.EventSubType === 'password_ssh'), false, 'not on the instance whose key pair turned passwords off');
    // no anti-brute-force rule names this instance: the default threshold, and no block
    for (let i = 1; i <= 5; i++) assert.notEqual((await attempt(GUESSER, pw.publicIp, { password: `guess-${i}` })).code, 0);
    const bf = await until('the brute force', 2000, async () => (await alerts()).find((a) => a.Uuid === pw.id && a.EventSubType === 'brute_force'));
    assert.equal(detail(bf, 'Method'), 'password');
    assert.equal((await attempt(GUESSER, pw.publicIp, { password: PASSWORD })).code, 0, 'the right password logs on');
    const serious = await until('the logon after the brute force', 2000, async () => (await alerts()).find((a) => a.Uuid === pw.id && a.EventSubType === 'login_after_brute_force'));
    assert.equal(serious.Level, 'serious');
    assert.equal(detail(serious, 'SourceIp'), GUESSER);
  });

  test('an instance without the agent raises nothing, and nothing blocks its attackers', async () => {
    for (let i = 1; i <= 6; i++) assert.notEqual((await attempt(NEIGHBOUR, bare.publicIp, { password: `nope-${i}` })).code, 0);
    const listener = await Prober.start(bare.id);
    try {
      await listener.tcpListen(6379);
      await sleep(2500);
    } finally {
      await listener.close();
    }
    assert.deepEqual((await alerts()).filter((a) => a.Uuid === bare.id), []);
    const r = await nsExec(bare.id, ['nft', 'list', 'table', 'inet', 'parapet_sas']);
    assert.notEqual(r.code, 0, 'no block table in the instance without the agent');
    assert.equal(await internet!.tcpConnect(bare.publicIp, 22, 2000, { localAddress: NEIGHBOUR }), 'open');
  });

  test('the alerts reached the SMTP server and the webhook, signed', async () => {
    const wanted = (await alerts()).filter((a) => a.Uuid === web.id || a.Uuid === pw.id);
    assert.ok(wanted.length >= 6);
    await until('the e-mail.mails and webhooks', 15_000, async () => mail.mails.length >= wanted.length && hook.hooks.length >= wanted.length ? true : undefined, 200);
    assert.ok(mail.mails.every((m) => m.to === 'ops@example.test'));
    assert.ok(mail.mails.some((m) => m.data.includes(ATTACKER)), 'the brute force e-mail names the attacker');
    for (const h of hook.hooks) assert.equal(h.signature, webhookSignature(SECRET, h.body));
    const kinds = hook.hooks.map((h) => (JSON.parse(h.body) as { kind: string }).kind).sort();
    assert.deepEqual([...new Set(kinds)], ['brute_force', 'login_after_brute_force', 'password_ssh', 'risky_listener', 'unusual_logon']);
  });
});
