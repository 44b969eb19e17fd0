// Security Center's baseline checks as a pure engine (src/domain/security-center/checks.ts): for
// each of the twelve checks a snapshot that triggers it and one that doesn't, instance checks only
// for instances with the agent, and the evidence each finding carries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBaseline, isAdminPolicy, passwordPolicyWeaknesses } from '../../src/domain/security-center/checks.ts';
import { CHECKS, type BaselineSnapshot, type SnapshotGroup, type SnapshotInstance } from '../../src/domain/security-center/model.ts';
import { DEFAULT_PASSWORD_POLICY } from '../../src/domain/ram/password-policy.ts';
import type { FwRule } from '../../src/engine/firewall/index.ts';

const ACCOUNT = '1234567890123456';
const NOW = Date.parse('2026-12-01T00:00:00Z');
const EVERYONE = { base: 0, size: 2 ** 32 };
const OFFICE = { base: (198 << 24 >>> 0) + (51 << 16) + (100 << 8), size: 256 };

function rule(groupId: string, ruleId: string, p: Partial<FwRule> & { ports: [number, number] }): FwRule {
  return {
    groupId, ruleId, direction: 'ingress', protocol: 'tcp', portFrom: p.ports[0], portTo: p.ports[1], srcPortFrom: 1, srcPortTo: 65535,
    policy: 'accept', priority: 1, nicType: 'intranet', peer: { kind: 'cidr', range: EVERYONE }, ...p,
  };
}

function group(id: string, rules: FwRule[], accepts: SnapshotGroup['ingressAccepts'] = []): SnapshotGroup {
  return { groupId: id, regionId: 'cn-hangzhou', fw: { groupId: id, type: 'normal', innerAccessPolicy: 'Accept', rules }, ingressAccepts: accepts };
}

function instance(id: string, p: Partial<SnapshotInstance> = {}): SnapshotInstance {
  return {
    instanceId: id, regionId: 'cn-hangzhou', status: 'Running', networkType: 'vpc', publicIp: '203.0.113.10', privateIp: '10.0.0.10', osType: 'linux',
    securityGroupIds: ['sg-closed'], ipv6Internet: [], agent: true, passwordLogon: false, httpEndpoint: 'enabled', httpTokens: 'required', ramRoleName: '', ...p,
  };
}

/** A snapshot that passes every check; each test changes one thing. */
function clean(): BaselineSnapshot {
  return {
    accountId: ACCOUNT, now: NOW,
    instances: [instance('i-a')],
    groups: new Map([
      ['sg-closed', group('sg-closed', [rule('sg-closed', 'sgr-office-ssh', { ports: [22, 22], peer: { kind: 'cidr', range: OFFICE } }), rule('sg-closed', 'sgr-web', { ports: [443, 443] })])],
    ]),
    users: [{ name: 'alice', hasLoginProfile: true, hasMfa: true, directSystemPolicies: ['ReadOnlyAccess'] }, { name: 'robot', hasLoginProfile: false, hasMfa: false, directSystemPolicies: [] }],
    accessKeys: [{ accessKeyId: 'LTAIrobot', userName: 'robot', status: 'Active', createdAt: '2026-11-01T00:00:00Z' }],
    passwordPolicy: { ...DEFAULT_PASSWORD_POLICY },
    rolePolicies: new Map(),
  };
}

const ids = (s: BaselineSnapshot, only?: number) => runBaseline(s, only === undefined ? undefined : new Set([only])).map((f) => `${f.checkId}:${f.resource}`);

test('a clean account passes every check', () => {
  assert.deepEqual(ids(clean()), []);
  assert.equal(CHECKS.length, 12);
  assert.deepEqual(CHECKS.map((c) => c.id), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
});

test('1-3: SSH, RDP and database ports open to 0.0.0.0/0, by the engine\'s exposure', () => {
  const s = clean();
  s.groups.set('sg-open', group('sg-open', [
    rule('sg-open', 'sgr-ssh', { ports: [22, 22] }), rule('sg-open', 'sgr-rdp', { ports: [3389, 3389] }), rule('sg-open', 'sgr-db', { ports: [3306, 3306] }),
  ]));
  s.instances = [instance('i-open', { securityGroupIds: ['sg-open'] }), instance('i-a')];
  const f = runBaseline(s);
  assert.deepEqual(f.map((x) => `${x.checkId}:${x.resource}`), ['1:i-open', '2:i-open', '3:i-open']);
  assert.deepEqual(f[0]!.evidence, [{ Protocol: 'TCP', PortRange: '22/22', Service: 'SSH', SourceCidrIp: '0.0.0.0/0', SecurityGroupId: 'sg-open', SecurityGroupRuleId: 'sgr-ssh' }]);
  assert.equal(f[2]!.evidence[0]!['Service'], 'MySQL');

  // a stronger drop in another group hides the accept: the engine decides, not the rule text
  s.groups.set('sg-deny', group('sg-deny', [rule('sg-deny', 'sgr-drop', { ports: [1, 65535], policy: 'drop', priority: 1 })]));
  s.groups.get('sg-open')!.fw.rules.forEach((r) => { r.priority = 50; });
  s.instances = [instance('i-open', { securityGroupIds: ['sg-open', 'sg-deny'] })];
  assert.deepEqual(ids(s), [], 'the drop at priority 1 wins');
  // open only to an office range: not open to the internet
  s.instances = [instance('i-a')];
  assert.deepEqual(ids(s), []);
  // no public address, or stopped: not reachable from the internet
  s.instances = [instance('i-open', { securityGroupIds: ['sg-open'], publicIp: '' }), instance('i-stop', { securityGroupIds: ['sg-open'], status: 'Stopped' })];
  assert.deepEqual(ids(s), []);
});


test('1-3 over IPv6: ::/0 on SSH or a database fails for an IPv6 address with internet bandwidth, by its ENI\'s groups; the evidence names the address', () => {
  const ALL6 = { base: 0n, size: 1n << 128n };
  const address = '2408:4000:0:1::10';
  const s = clean();
  s.groups.set('sg-v6', group('sg-v6', [
    rule('sg-v6', 'sgr-ssh6', { ports: [22, 22], peer: { kind: 'cidr6', range: ALL6 } }),
    rule('sg-v6', 'sgr-pg6', { ports: [5432, 5432], peer: { kind: 'cidr6', range: ALL6 } }),
    // an IPv6 block narrower than ::/0 is not "open to the internet"
    rule('sg-v6', 'sgr-rdp6', { ports: [3389, 3389], peer: { kind: 'cidr6', range: { base: 0x20010db8n << 96n, size: 1n << 96n } } }),
  ]));
  // no public IPv4 address: the IPv6 address alone exposes it; the primary ENI's IPv4 groups are closed
  s.instances = [instance('i-six', { publicIp: '', ipv6Internet: [{ address, securityGroupIds: ['sg-v6'] }] }), instance('i-a')];
  const f = runBaseline(s);
  assert.deepEqual(f.map((x) => `${x.checkId}:${x.resource}`), ['1:i-six', '3:i-six']);
  assert.deepEqual(f[0]!.evidence, [{ Protocol: 'TCP', PortRange: '22/22', Service: 'SSH', SourceCidrIp: '::/0', Ipv6Address: address, SecurityGroupId: 'sg-v6', SecurityGroupRuleId: 'sgr-ssh6' }]);
  assert.deepEqual(f[1]!.evidence.map((e) => [e['Service'], e['Ipv6Address']]), [['PostgreSQL', address]]);

  // IPv4 and IPv6 rows of one instance in one finding: IPv4 first, the IPv6 row naming its address
  s.groups.set('sg-open4', group('sg-open4', [rule('sg-open4', 'sgr-ssh4', { ports: [22, 22] })]));
  s.instances = [instance('i-dual', { securityGroupIds: ['sg-open4'], ipv6Internet: [{ address, securityGroupIds: ['sg-v6'] }] })];
  const dual = runBaseline(s, new Set([1]));
  assert.equal(dual.length, 1);
  assert.deepEqual(dual[0]!.evidence.map((e) => [e['SourceCidrIp'], e['Ipv6Address'] ?? '-']), [['0.0.0.0/0', '-'], ['::/0', address]]);

  // IPv4 rules never open IPv6: a 0.0.0.0/0 SSH group on the IPv6 address's ENI fails nothing by IPv6
  s.instances = [instance('i-six', { publicIp: '', ipv6Internet: [{ address, securityGroupIds: ['sg-open4'] }] })];
  assert.deepEqual(ids(s), []);
  // a stronger IPv6 drop hides the ::/0 accept
  s.groups.set('sg-deny6', group('sg-deny6', [rule('sg-deny6', 'sgr-drop6', { ports: [1, 65535], policy: 'drop', priority: 1, peer: { kind: 'cidr6', range: ALL6 } })]));
  s.groups.get('sg-v6')!.fw.rules.forEach((r) => { r.priority = 50; });
  s.instances = [instance('i-six', { publicIp: '', ipv6Internet: [{ address, securityGroupIds: ['sg-v6', 'sg-deny6'] }] })];
  assert.deepEqual(ids(s), []);
  // stopped: nothing
  s.instances = [instance('i-six', { publicIp: '', status: 'Stopped', ipv6Internet: [{ address, securityGroupIds: ['sg-v6'] }] })];
  assert.deepEqual(ids(s), []);
});
test('instance checks look only at instances with the agent', () => {
  const s = clean();
  s.groups.set('sg-open', group('sg-open', [rule('sg-open', 'sgr-ssh', { ports: [22, 22] })]));
  s.rolePolicies.set('admin-role', [{ name: 'AdministratorAccess', type: 'System', document: '{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' }]);
  const risky = { securityGroupIds: ['sg-open'], passwordLogon: true, httpTokens: 'optional', ramRoleName: 'admin-role' };
  s.instances = [instance('i-agent', risky), instance('i-bare', { ...risky, agent: false })];
  const found = ids(s);
  assert.deepEqual(found, ['1:i-agent', '10:i-agent', '11:i-agent', '12:i-agent']);
  assert.ok(!found.some((x) => x.endsWith('i-bare')), 'an instance without the agent contributes nothing');
});

test('4: a group with an allow-all ingress rule (every protocol, or every TCP/UDP port, from everyone, IPv6 too)', () => {
  const s = clean();
  s.groups.set('sg-all', group('sg-all', [], [{ ruleId: 'sgr-all', ipProtocol: 'ALL', portRange: '-1/-1', cidr: '0.0.0.0/0', priority: 1 }]));
  s.groups.set('sg-tcp6', group('sg-tcp6', [], [{ ruleId: 'sgr-tcp6', ipProtocol: 'TCP', portRange: '1/65535', cidr: '::/0', priority: 100 }]));
  s.groups.set('sg-fine', group('sg-fine', [], [
    { ruleId: 'sgr-web', ipProtocol: 'TCP', portRange: '80/80', cidr: '0.0.0.0/0', priority: 1 },
    { ruleId: 'sgr-office', ipProtocol: 'ALL', portRange: '-1/-1', cidr: '198.51.100.0/24', priority: 1 },
  ]));
  const f = runBaseline(s, new Set([4]));
  assert.deepEqual(f.map((x) => x.resource), ['sg-all', 'sg-tcp6']);
  assert.deepEqual(f[0]!.evidence, [{ SecurityGroupRuleId: 'sgr-all', IpProtocol: 'ALL', PortRange: '-1/-1', SourceCidrIp: '0.0.0.0/0', Priority: '1' }]);
});

test('5: RAM users with a console password and no MFA device', () => {
  const s = clean();
  s.users.push({ name: 'bob', hasLoginProfile: true, hasMfa: false, directSystemPolicies: [] });
  assert.deepEqual(ids(s), [`5:acs:ram::${ACCOUNT}:user/bob`], 'alice has MFA, robot has no console');
});

test('6: the account\'s own AccessKey in use (active)', () => {
  const s = clean();
  s.accessKeys.push({ accessKeyId: 'LTAIroot', userName: null, status: 'Active', createdAt: '2026-11-20T00:00:00Z' });
  assert.deepEqual(ids(s), ['6:LTAIroot']);
  s.accessKeys[1]!.status = 'Inactive';
  assert.deepEqual(ids(s), [], 'a disabled root key is not in use');
});

test('7: active AccessKeys older than 90 days', () => {
  const s = clean();
  s.accessKeys.push({ accessKeyId: 'LTAIold', userName: 'robot', status: 'Active', createdAt: '2026-08-01T00:00:00Z' });
  s.accessKeys.push({ accessKeyId: 'LTAIoldoff', userName: 'robot', status: 'Inactive', createdAt: '2026-01-01T00:00:00Z' });
  s.accessKeys.push({ accessKeyId: 'LTAI90', userName: 'robot', status: 'Active', createdAt: '2026-09-02T00:00:00Z' });
  const f = runBaseline(s);
  assert.deepEqual(f.map((x) => `${x.checkId}:${x.resource}`), ['7:LTAIold'], '90 days exactly is not older than 90');
  assert.deepEqual(f[0]!.evidence, [{ AccessKeyId: 'LTAIold', UserName: 'robot', CreateDate: '2026-08-01T00:00:00Z', AgeDays: '122' }]);
});

test('8: AdministratorAccess attached directly to a user', () => {
  const s = clean();
  s.users[1]!.directSystemPolicies.push('AdministratorAccess');
  assert.deepEqual(ids(s), [`8:acs:ram::${ACCOUNT}:user/robot`]);
});

test('9: a weak password policy', () => {
  assert.deepEqual(passwordPolicyWeaknesses(DEFAULT_PASSWORD_POLICY), [], 'the default policy passes');
  const s = clean();
  s.passwordPolicy = { ...DEFAULT_PASSWORD_POLICY, requireUppercaseCharacters: false, maxLoginAttemps: 0 };
  const f = runBaseline(s);
  assert.deepEqual(f.map((x) => `${x.checkId}:${x.resource}`), [`9:${ACCOUNT}`]);
  assert.deepEqual(f[0]!.evidence.map((e) => e['Setting']), ['CharacterClasses', 'MaxLoginAttemps']);
  s.passwordPolicy = { ...DEFAULT_PASSWORD_POLICY, requireSymbols: true, maxLoginAttemps: 3, minimumPasswordLength: 12 };
  assert.deepEqual(ids(s), []);
});

test('10: Linux instances with password logon; Windows is not reported (it has no key pairs)', () => {
  const s = clean();
  s.instances = [instance('i-pw', { passwordLogon: true }), instance('i-win', { passwordLogon: true, osType: 'windows' }), instance('i-key')];
  assert.deepEqual(ids(s), ['10:i-pw']);
});

test('11: metadata not hardened (tokens optional while the service is on)', () => {
  const s = clean();
  s.instances = [instance('i-soft', { httpTokens: 'optional' }), instance('i-off', { httpTokens: 'optional', httpEndpoint: 'disabled' }), instance('i-hard')];
  assert.deepEqual(ids(s), ['11:i-soft']);
});

test('12: instance roles with an admin policy (system or custom, Action and Resource `*`)', () => {
  const s = clean();
  s.rolePolicies.set('god', [{ name: 'everything', type: 'Custom', document: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }] }) }]);
  s.rolePolicies.set('reader', [{ name: 'AliyunECSReadOnlyAccess', type: 'System', document: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' }] }) }]);
  s.instances = [instance('i-god', { ramRoleName: 'god' }), instance('i-reader', { ramRoleName: 'reader' })];
  const f = runBaseline(s);
  assert.deepEqual(f.map((x) => `${x.checkId}:${x.resource}`), ['12:i-god']);
  assert.deepEqual(f[0]!.evidence, [{ InstanceId: 'i-god', RoleName: 'god', PolicyName: 'everything', PolicyType: 'Custom' }]);
  assert.equal(isAdminPolicy({ name: 'x', type: 'Custom', document: '{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}' }), false);
  assert.equal(isAdminPolicy({ name: 'x', type: 'Custom', document: 'not json' }), false);
});

test('a scan of some checks runs only those', () => {
  const s = clean();
  s.instances = [instance('i-pw', { passwordLogon: true, httpTokens: 'optional' })];
  assert.deepEqual(ids(s, 11), ['11:i-pw']);
});
