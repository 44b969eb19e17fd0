// The baseline checks (model.ts's CHECKS) over one account's snapshot: pure, no I/O. Port
// exposure is the decision engine's (exposure.ts's exposureOfGroups: a drop at a stronger
// priority hides an accept, several groups combine), computed once per distinct group set; an
// IPv6 address with internet bandwidth is swept the same way (exposureOfGroups6 over its ENI's
// groups), so ::/0 on SSH fails check 1 as 0.0.0.0/0 does, its evidence naming the address.
// Configuration checks (groups, RAM, the password policy, AccessKeys) are account-wide; instance
// checks look only at instances with the Security Center agent.
import { exposureOfGroups, exposureOfGroups6 } from '../exposure.ts';
import { ip6ToBigInt, ipToInt } from '../../engine/cidr.ts';
import { ACCESS_KEY_MAX_AGE_DAYS, DATABASE_SERVICES, type BaselineSnapshot, type Finding, type SnapshotInstance, type SnapshotPolicyDoc } from './model.ts';
import type { PasswordPolicy } from '../ram/password-policy.ts';
import type { FwGroup } from '../../engine/firewall/index.ts';

const DAY_MS = 86_400_000;

/** Runs the checks `only` (every check when undefined) and answers their findings, by check id then resource. */
export function runBaseline(s: BaselineSnapshot, only?: ReadonlySet<number>): Finding[] {
  const want = (id: number) => only === undefined || only.has(id);
  const out: Finding[] = [];
  const userArn = (name: string) => `acs:ram::${s.accountId}:user/${name}`;

  // instance checks: only instances with the agent
  const agents = s.instances.filter((i) => i.agent);
  if (want(1) || want(2) || want(3)) out.push(...exposureFindings(s, agents, want));
  for (const i of agents) {
    if (want(10) && i.osType === 'linux' && i.passwordLogon) {
      out.push({ checkId: 10, resource: i.instanceId, regionId: i.regionId, evidence: [{ InstanceId: i.instanceId, OSType: i.osType, PasswordLogon: 'enabled' }] });
    }
    if (want(11) && i.httpEndpoint === 'enabled' && i.httpTokens !== 'required') {
      out.push({ checkId: 11, resource: i.instanceId, regionId: i.regionId, evidence: [{ InstanceId: i.instanceId, HttpEndpoint: i.httpEndpoint, HttpTokens: i.httpTokens }] });
    }
    if (want(12) && i.ramRoleName !== '') {
      const admin = (s.rolePolicies.get(i.ramRoleName) ?? []).filter(isAdminPolicy);
      if (admin.length > 0) {
        out.push({ checkId: 12, resource: i.instanceId, regionId: i.regionId, evidence: admin.map((p) => ({ InstanceId: i.instanceId, RoleName: i.ramRoleName, PolicyName: p.name, PolicyType: p.type })) });
      }
    }
  }

  if (want(4)) {
    for (const g of s.groups.values()) {
      const open = g.ingressAccepts.filter(allowsAll);
      if (open.length > 0) {
        out.push({
          checkId: 4, resource: g.groupId, regionId: g.regionId,
          evidence: open.map((r) => ({ SecurityGroupRuleId: r.ruleId, IpProtocol: r.ipProtocol.toUpperCase() === 'ALL' ? 'ALL' : r.ipProtocol.toUpperCase(), PortRange: r.portRange, SourceCidrIp: r.cidr, Priority: String(r.priority) })),
        });
      }
    }
  }

  for (const u of s.users) {
    if (want(5) && u.hasLoginProfile && !u.hasMfa) {
      out.push({ checkId: 5, resource: userArn(u.name), regionId: '', evidence: [{ UserName: u.name, LoginProfile: 'enabled', MFADevice: 'none' }] });
    }
    if (want(8) && u.directSystemPolicies.includes('AdministratorAccess')) {
      out.push({ checkId: 8, resource: userArn(u.name), regionId: '', evidence: [{ UserName: u.name, PolicyName: 'AdministratorAccess', PolicyType: 'System' }] });
    }
  }

  for (const k of s.accessKeys) {
    if (k.status !== 'Active') continue;
    if (want(6) && k.userName === null) {
      out.push({ checkId: 6, resource: k.accessKeyId, regionId: '', evidence: [{ AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: k.createdAt }] });
    }
    const age = Math.floor((s.now - Date.parse(k.createdAt)) / DAY_MS);
    if (want(7) && age > ACCESS_KEY_MAX_AGE_DAYS) {
      out.push({ checkId: 7, resource: k.accessKeyId, regionId: '', evidence: [{ AccessKeyId: k.accessKeyId, UserName: k.userName ?? '(account)', CreateDate: k.createdAt, AgeDays: String(age) }] });
    }
  }

  if (want(9)) {
    const weak = passwordPolicyWeaknesses(s.passwordPolicy);
    if (weak.length > 0) out.push({ checkId: 9, resource: s.accountId, regionId: '', evidence: weak });
  }

  return out.sort((a, b) => a.checkId - b.checkId || (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
}

/**
 * Checks 1-3: what the engine says every internet address reaches on each running instance: by its
 * public IPv4 address, and by each IPv6 address with internet bandwidth (its ENI's groups decide).
 * One finding per check and instance, IPv4 rows first.
 */
function exposureFindings(s: BaselineSnapshot, agents: SnapshotInstance[], want: (id: number) => boolean): Finding[] {
  const out: Finding[] = [];
  const bySet = new Map<string, ReturnType<typeof exposureOfGroups>>();
  const cached = (key: string, compute: () => ReturnType<typeof exposureOfGroups>) => {
    let result = bySet.get(key);
    if (result === undefined) bySet.set(key, result = compute());
    return result;
  };
  const groupsOf = (ids: readonly string[]) => ids.map((id) => s.groups.get(id)?.fw).filter((g): g is FwGroup => g !== undefined);
  for (const i of agents) {
    if (i.status === 'Stopped') continue;
    const rows: Record<number, Array<Record<string, string>>> = { 1: [], 2: [], 3: [] };
    const collect = (exposures: ReturnType<typeof exposureOfGroups>, ipv6Address?: string) => {
      for (const e of exposures) {
        if (!e.openToInternet) continue;
        for (const service of e.services) {
          const checkId = service === 'SSH' ? 1 : service === 'RDP' ? 2 : DATABASE_SERVICES.has(service) ? 3 : 0;
          if (checkId === 0 || !want(checkId)) continue;
          const first = e.rules[0];
          rows[checkId]!.push({
            Protocol: e.protocol.toUpperCase(), PortRange: `${e.portFrom}/${e.portTo}`, Service: service, SourceCidrIp: e.cidrs.join(','),
            ...(ipv6Address !== undefined ? { Ipv6Address: ipv6Address } : {}),
            SecurityGroupId: first?.groupId ?? '', SecurityGroupRuleId: e.rules.map((r) => r.ruleId).join(','),
          });
        }
      }
    };
    if (i.publicIp !== '') {
      const groups = groupsOf(i.securityGroupIds);
      // rules naming the instance's own address (DestCidrIp) make the answer depend on it
      const local = groups.some((g) => g.rules.some((r) => r.local !== undefined)) ? i.privateIp : '';
      collect(cached(`${i.networkType}:${i.securityGroupIds.join(',')}:${local}`, () => exposureOfGroups(groups, i.networkType, ipToInt(i.privateIp) ?? 0)));
    }
    for (const { address, securityGroupIds } of i.ipv6Internet) {
      const groups = groupsOf(securityGroupIds);
      // rules naming the instance's own IPv6 address (Ipv6DestCidrIp) make the answer depend on it
      const local = groups.some((g) => g.rules.some((r) => r.local6 !== undefined)) ? address : '';
      collect(cached(`ipv6:${securityGroupIds.join(',')}:${local}`, () => exposureOfGroups6(groups, ip6ToBigInt(address) ?? 0n)), address);
    }
    for (const id of [1, 2, 3]) if (rows[id]!.length > 0) out.push({ checkId: id, resource: i.instanceId, regionId: i.regionId, evidence: rows[id]! });
  }
  return out;
}

const EVERYONE = new Set(['0.0.0.0/0', '::/0']);

/** An ingress accept from everyone of every protocol, or of every TCP or UDP port. */
function allowsAll(r: { ipProtocol: string; portRange: string; cidr: string }): boolean {
  if (!EVERYONE.has(r.cidr)) return false;
  const p = r.ipProtocol.toLowerCase();
  if (p === 'all') return true;
  return (p === 'tcp' || p === 'udp') && (r.portRange === '1/65535' || r.portRange === '-1/-1');
}

/** A policy with an Allow statement of every action (`*`) on every resource (`*`). */
export function isAdminPolicy(p: SnapshotPolicyDoc): boolean {
  let doc: unknown;
  try { doc = JSON.parse(p.document); } catch { return false; }
  if (typeof doc !== 'object' || doc === null) return false;
  const statements = (doc as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : [statements];
  const has = (v: unknown) => v === '*' || (Array.isArray(v) && v.includes('*'));
  return list.some((st) => typeof st === 'object' && st !== null && (st as { Effect?: unknown }).Effect === 'Allow'
    && has((st as { Action?: unknown }).Action) && has((st as { Resource?: unknown }).Resource));
}

/** The minimum a policy must ask for (check 9), and what FixCheckWarnings sets. */
export const STRONG_PASSWORD_POLICY = { minimumPasswordLength: 8, characterClasses: 3, maxLoginAttempts: 5 } as const;

/** What is weak in a password policy, as evidence rows (none: it passes). */
export function passwordPolicyWeaknesses(p: PasswordPolicy): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  if (p.minimumPasswordLength < STRONG_PASSWORD_POLICY.minimumPasswordLength) {
    out.push({ Setting: 'MinimumPasswordLength', Value: String(p.minimumPasswordLength), Expected: `at least ${STRONG_PASSWORD_POLICY.minimumPasswordLength}` });
  }
  const classes = [p.requireLowercaseCharacters, p.requireUppercaseCharacters, p.requireNumbers, p.requireSymbols].filter(Boolean).length;
  if (classes < STRONG_PASSWORD_POLICY.characterClasses) {
    out.push({ Setting: 'CharacterClasses', Value: String(classes), Expected: `at least ${STRONG_PASSWORD_POLICY.characterClasses} of lower case, upper case, digits, symbols` });
  }
  if (p.maxLoginAttemps === 0 || p.maxLoginAttemps > STRONG_PASSWORD_POLICY.maxLoginAttempts) {
    out.push({ Setting: 'MaxLoginAttemps', Value: String(p.maxLoginAttemps), Expected: `1 to ${STRONG_PASSWORD_POLICY.maxLoginAttempts}` });
  }
  return out;
}
