// What the data plane's Security Center watcher reports of an instance (the sshd log's logons, the
// listening sockets inside its namespace) and how it becomes alerts (alerts.ts). Only instances
// with the agent (agent.ts) produce alerts; reports about others, or unknown instances, are dropped.
// - Brute force: a failure from a source makes the failures from it at the instance within the
//   window of the threshold in force (brute-force.ts thresholdAt: the rule naming the instance,
//   the default rule, or 5 within 60 s) count; at the threshold an alert (suspicious) is raised or
//   continued, and when a rule applies the source is blocked for its ForbiddenTime.
// - A successful logon from a source with a brute-force alert at the instance in the last 24 hours:
//   serious.
// - A successful logon outside the instance's logon baseline (login-base.ts): suspicious, naming
//   the baseline types it broke.
// - A socket listening on a risky port (RISKY_LISTENERS) on an address the network reaches (not
//   loopback) that the instance's groups open to the whole internet (exposure.ts, the decision
//   engine): a vulnerability finding naming the socket and the rules; a later report where it is
//   no longer so resolves it. The same for sshd listening on 22 while root has a password in force
//   (it takes password logons) and the groups open 22 to the internet.
// A new alert's notifications are written with it (notify.ts). Writes are quiet (Store.write)
// unless a block starts: only blocks change what the data plane enforces.
import type { Services } from '../context.ts';
import type { Tx } from '../../store/store.ts';
import { ipToInt } from '../../engine/cidr.ts';
import type { FlowProtocol } from '../../engine/firewall/index.ts';
import { loadFwGroups } from '../fw-groups.ts';
import { exposureOfGroups } from '../exposure.ts';
import { MAX_SPAN_MS, blockSource, thresholdAt } from './brute-force.ts';
import { listLoginBase, locationOf, unusualTypes } from './login-base.ts';
import { resolveAlerts, type AlertLevel } from './alerts.ts';
import { raiseAndNotify } from './notify.ts';
import type { LogonEvent, ListeningSocket } from './watch-model.ts';

export type { LogonEvent, ListeningSocket } from './watch-model.ts';

const SSH_PORT = 22;

/** How long after a brute force a success from the same source is serious. */
export const SUCCESS_AFTER_BRUTE_FORCE_MS = 24 * 3600_000;

/** Ports whose services attackers look for, with the level of finding one exposed to the internet. */
export const RISKY_LISTENERS: ReadonlyArray<{ name: string; proto: 'tcp' | 'udp'; port: number; level: AlertLevel }> = [
  { name: 'Telnet', proto: 'tcp', port: 23, level: 'serious' },
  { name: 'RPC', proto: 'tcp', port: 135, level: 'suspicious' },
  { name: 'NetBIOS', proto: 'udp', port: 137, level: 'suspicious' },
  { name: 'NetBIOS', proto: 'udp', port: 138, level: 'suspicious' },
  { name: 'NetBIOS/SMB', proto: 'tcp', port: 139, level: 'serious' },
  { name: 'SMB', proto: 'tcp', port: 445, level: 'serious' },
  { name: 'SQL Server', proto: 'tcp', port: 1433, level: 'suspicious' },
  { name: 'Oracle', proto: 'tcp', port: 1521, level: 'suspicious' },
  { name: 'Docker API', proto: 'tcp', port: 2375, level: 'serious' },
  { name: 'Docker API', proto: 'tcp', port: 2376, level: 'suspicious' },
  { name: 'MySQL', proto: 'tcp', port: 3306, level: 'suspicious' },
  { name: 'PostgreSQL', proto: 'tcp', port: 5432, level: 'suspicious' },
  { name: 'Redis', proto: 'tcp', port: 6379, level: 'serious' },
  { name: 'Elasticsearch', proto: 'tcp', port: 9200, level: 'serious' },
  { name: 'Memcached', proto: 'tcp', port: 11211, level: 'serious' },
  { name: 'MongoDB', proto: 'tcp', port: 27017, level: 'serious' },
];

interface Watched { id: string; accountId: string; regionId: string; publicIp: string; privateIp: string; vpcId: string }

async function watched(tx: Tx, ids: readonly string[]): Promise<Map<string, Watched>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.selectFrom('instances').select(['id', 'account_id', 'region_id', 'public_ip', 'vpc_id', 'security_agent']).where('id', 'in', [...ids]).execute();
  const enis = await tx.selectFrom('enis').select(['instance_id', 'private_ip']).where('instance_id', 'in', [...ids]).where('type', '=', 'Primary').execute();
  const ip = new Map(enis.map((e) => [e.instance_id, e.private_ip]));
  return new Map(rows.filter((r) => r.security_agent === 1).map((r) => [r.id, { id: r.id, accountId: r.account_id, regionId: r.region_id, publicIp: r.public_ip, privateIp: ip.get(r.id) ?? '', vpcId: r.vpc_id }]));
}

/** Stores a batch of logon events (in time order per instance) and raises what they show. */
export async function recordLogonEvents(svc: Services, events: readonly LogonEvent[]): Promise<void> {
  if (events.length === 0) return;
  const sorted = [...events].sort((a, b) => a.at - b.at);
  await svc.store.write(async (tx) => {
    const insts = await watched(tx, [...new Set(sorted.map((e) => e.instanceId))]);
    let blocked = false;
    for (const e of sorted) {
      const inst = insts.get(e.instanceId);
      if (inst === undefined) continue;
      const base = { accountId: inst.accountId, instanceId: inst.id, regionId: inst.regionId, sourceIp: e.sourceIp, at: e.at };
      const detail = { InstanceId: inst.id, SourceIp: e.sourceIp, Account: e.account, Method: e.method, Time: new Date(e.at).toISOString() };
      if (!e.success) {
        await tx.insertInto('sas_logon_failures').values({ instance_id: inst.id, ip: e.sourceIp, at: e.at }).execute();
        await tx.deleteFrom('sas_logon_failures').where('instance_id', '=', inst.id).where('at', '<', e.at - MAX_SPAN_MS).execute();
        const th = await thresholdAt(tx, inst.accountId, inst.id);
        const n = await tx.selectFrom('sas_logon_failures').select((eb) => eb.fn.countAll().as('n')).where('instance_id', '=', inst.id).where('ip', '=', e.sourceIp)
          .where('at', '>', e.at - th.spanMs).where('at', '<=', e.at).executeTakeFirst();
        const failures = Number(n?.n ?? 0);
        if (failures < th.failCount) continue;
        await raiseAndNotify(svc, tx, {
          ...base, kind: 'brute_force', level: 'suspicious', key: `brute_force|${inst.id}|${e.sourceIp}`, continueWithin: th.spanMs,
          evidence: { ...detail, Failures: String(failures), WindowSeconds: String(th.spanMs / 1000), RuleId: String(th.ruleId), ...(th.forbiddenMs > 0 ? { BlockedUntil: new Date(e.at + th.forbiddenMs).toISOString() } : {}) },
        });
        if (th.forbiddenMs > 0) {
          await blockSource(tx, { accountId: inst.accountId, instanceId: inst.id, ip: e.sourceIp, until: e.at + th.forbiddenMs, ruleId: th.ruleId });
          blocked = true;
        }
        continue;
      }
      const brute = await tx.selectFrom('sas_alerts').select(['id']).where('account_id', '=', inst.accountId).where('key', '=', `brute_force|${inst.id}|${e.sourceIp}`)
        .where('last_at', '>=', e.at - SUCCESS_AFTER_BRUTE_FORCE_MS).orderBy('id', 'desc').executeTakeFirst();
      if (brute !== undefined) {
        await raiseAndNotify(svc, tx, { ...base, kind: 'login_after_brute_force', level: 'serious', key: `login_after_brute_force|${inst.id}|${e.sourceIp}|${e.account}`, evidence: { ...detail, BruteForceAlertId: String(brute.id) } });
      }
      const broken = unusualTypes(await listLoginBase(tx, inst.accountId), inst.id, { ip: e.sourceIp, account: e.account, at: e.at });
      if (broken.length > 0) {
        await raiseAndNotify(svc, tx, {
          ...base, kind: 'unusual_logon', level: 'suspicious', key: `unusual_logon|${inst.id}|${e.sourceIp}|${e.account}|${broken.join(',')}`,
          evidence: { ...detail, Location: locationOf(e.sourceIp), Unusual: broken.join(',') },
        });
      }
    }
    return blocked;
  }, { quiet: (blocked) => !blocked });
}

/**
 * Stores the sockets an instance listens on (the whole list, each report) and raises or resolves
 * the risky-listener findings: a finding per risky socket the groups open to the internet.
 */
export async function recordListeners(svc: Services, instanceId: string, sockets: readonly ListeningSocket[]): Promise<void> {
  const now = svc.clock.now();
  const db = svc.store.db;
  const inst = await db.selectFrom('instances').select(['id', 'account_id', 'security_agent', 'effective_password_hash']).where('id', '=', instanceId).executeTakeFirst();
  if (inst === undefined || inst.security_agent !== 1) return;
  // read the groups outside the write: the engine's work needs no lock
  const eni = await db.selectFrom('enis').select(['id', 'private_ip', 'vpc_id']).where('instance_id', '=', instanceId).where('type', '=', 'Primary').executeTakeFirst();
  const groupIds = eni === undefined ? [] : (await db.selectFrom('eni_groups').select('security_group_id').where('eni_id', '=', eni.id).orderBy('position').execute()).map((r) => r.security_group_id);
  const loaded = await loadFwGroups(db, groupIds);
  const groups = groupIds.flatMap((id) => loaded.groups.get(id) ?? []);
  await svc.store.write(async (tx) => {
    const w = (await watched(tx, [instanceId])).get(instanceId);
    if (w === undefined) return;
    const reachable = w.publicIp !== '' || w.vpcId === '';
    const exposure = reachable ? exposureOfGroups(groups, w.vpcId === '' ? 'classic' : 'vpc', ipToInt(w.privateIp) ?? 0) : [];
    const keep = new Set<string>();
    // The exposure judged here is IPv4's: a port listened on by an IPv4 socket and by an IPv6 one
    // (sshd on 0.0.0.0 and ::) is named by its IPv4 socket; an IPv6-only socket (:: accepts IPv4
    // too unless it is IPv6-only) stands for it otherwise.
    const listeners = [...sockets].sort((a, b) => Number(a.address.includes(':')) - Number(b.address.includes(':')))
      .filter((s, i, all) => all.findIndex((t) => t.proto === s.proto && t.port === s.port && !t.address.startsWith('127.') && t.address !== '::1') === i);
    for (const s of listeners) {
      if (s.address.startsWith('127.') || s.address === '::1') continue;
      const risk = RISKY_LISTENERS.find((r) => r.proto === s.proto && r.port === s.port);
      if (risk === undefined) continue;
      const open = exposure.find((x) => x.protocol === (s.proto as FlowProtocol) && x.openToInternet && x.portFrom <= s.port && x.portTo >= s.port);
      if (open === undefined) continue;
      const key = `risky_listener|${instanceId}|${s.proto}|${s.port}`;
      keep.add(key);
      const rules = open.rules.map((r) => `${r.groupId}/${r.ruleId}`).join(',');
      await raiseAndNotify(svc, tx, {
        accountId: w.accountId, instanceId, regionId: w.regionId, sourceIp: '', at: now, kind: 'risky_listener', level: risk.level, key, count: 0,
        evidence: {
          InstanceId: instanceId, Service: risk.name, Protocol: s.proto, Port: String(s.port), ListenAddress: s.address,
          SecurityGroupId: open.rules[0]?.groupId ?? '', SecurityGroupRuleId: open.rules[0]?.ruleId ?? '', Rules: rules, SourceCidrIp: open.cidrs.join(','),
        },
      });
    }
    await resolveAlerts(tx, w.accountId, instanceId, 'risky_listener', keep, now);

    // sshd on 22 that takes passwords (root has one in force since the last boot), open to the internet
    const passwords = new Set<string>();
    const sshd = inst.effective_password_hash === '' ? undefined : listeners.find((s) => s.proto === 'tcp' && s.port === SSH_PORT && !s.address.startsWith('127.') && s.address !== '::1');
    const open = sshd === undefined ? undefined : exposure.find((x) => x.protocol === 'tcp' && x.openToInternet && x.portFrom <= SSH_PORT && x.portTo >= SSH_PORT);
    if (sshd !== undefined && open !== undefined) {
      const key = `password_ssh|${instanceId}`;
      passwords.add(key);
      await raiseAndNotify(svc, tx, {
        accountId: w.accountId, instanceId, regionId: w.regionId, sourceIp: '', at: now, kind: 'password_ssh', level: 'suspicious', key, count: 0,
        evidence: {
          InstanceId: instanceId, Service: 'SSH (password logon)', Protocol: 'tcp', Port: String(SSH_PORT), ListenAddress: sshd.address,
          SecurityGroupId: open.rules[0]?.groupId ?? '', SecurityGroupRuleId: open.rules[0]?.ruleId ?? '', Rules: open.rules.map((r) => `${r.groupId}/${r.ruleId}`).join(','),
          SourceCidrIp: open.cidrs.join(','),
        },
      });
    }
    await resolveAlerts(tx, w.accountId, instanceId, 'password_ssh', passwords, now);
  }, { quiet: () => true });
}
