import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../../src/domain/errors.ts';
import {normalizeRule, normalizeTuple, ruleKey, ruleMatchesTuple, portRangeBounds, sourcePortRangeBounds, normalizeIpv4Cidr, normalizeIpv6Cidr, type Direction, type RuleGroup, type RuleInput, type NormalizeOptions} from '../../src/domain/sg-rules.ts';
import { toPermission } from '../../src/domain/sg-rule-wire.ts';

const ACCOUNT = '1234567890123456';
const OTHER_ACCOUNT = '2234567890123456';
const VPC: RuleGroup = { type: 'normal', networkType: 'vpc', securityGroupId: 'sg-self', accountId: ACCOUNT };
const CLASSIC: RuleGroup = { ...VPC, networkType: 'classic' };
const ADVANCED: RuleGroup = { ...VPC, type: 'enterprise' };
const P = { param: 'Permissions.1.' };

function refuses(
  fn: () => unknown, code: string, status: number, mentions: readonly string[] = [],
): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DomainError, `expected a DomainError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.httpStatus, status, `${code}: ${e.message}`);
    for (const m of mentions) assert.ok(e.message.includes(m), `message \`${e.message}\` should mention ${m}`);
    return true;
  });
}

const ingress = (input: RuleInput, group: RuleGroup = VPC, opts: NormalizeOptions = P) => normalizeRule('ingress', input, group, opts);
const egress = (input: RuleInput, group: RuleGroup = VPC, opts: NormalizeOptions = P) => normalizeRule('egress', input, group, opts);

// ---------------------------------------------------------------------------------------------
// Normalization

test('normalizes the wire form and fills the defaults', () => {
  const r = ingress({ IpProtocol: 'TCP', PortRange: '80/80', SourceCidrIp: '1.2.3.4' });
  assert.deepEqual(r, {
    direction: 'ingress', ipProtocol: 'tcp', portRange: '80/80', sourcePortRange: '', policy: 'accept', priority: 1,
    nicType: 'intranet', peer: { kind: 'cidr', cidr: '1.2.3.4/32' }, otherCidr: '', description: '',
  });
});

test('case-insensitive values, leading zeros, empty strings as absent', () => {
  const r = ingress({ IpProtocol: 'Udp', PortRange: '053/0053', Policy: 'DROP', NicType: 'Intranet', Priority: '100', SourceCidrIp: '10.0.0.0/8', DestCidrIp: '' });
  assert.equal(r.ipProtocol, 'udp');
  assert.equal(r.portRange, '53/53');
  assert.equal(r.policy, 'drop');
  assert.equal(r.nicType, 'intranet');
  assert.equal(r.priority, 100);
  assert.equal(r.otherCidr, '');
});

test('protocols without ports default to and keep -1/-1', () => {
  for (const proto of ['icmp', 'GRE', 'all']) {
    assert.equal(ingress({ IpProtocol: proto, SourceCidrIp: '0.0.0.0/0' }).portRange, '-1/-1');
    assert.equal(ingress({ IpProtocol: proto, PortRange: '-1/-1', SourceCidrIp: '0.0.0.0/0' }).portRange, '-1/-1');
  }
  assert.equal(ingress({ IpProtocol: 'icmpv6', Ipv6SourceCidrIp: '::/0' }).portRange, '-1/-1');
});

test('CIDRs: host bits cleared, IPv6 compressed lower-case, bare addresses as /32 and /128', () => {
  assert.equal(normalizeIpv4Cidr('10.1.2.3/8'), '10.0.0.0/8');
  assert.equal(normalizeIpv4Cidr('0.0.0.0/0'), '0.0.0.0/0');
  assert.equal(normalizeIpv4Cidr('10.0.0.256'), null);
  assert.equal(normalizeIpv6Cidr('2001:DB8:0:0:0:0:0:1/64'), '2001:db8::/64');
  assert.equal(normalizeIpv6Cidr('2001:db8::1'), '2001:db8::1/128');
  assert.equal(normalizeIpv6Cidr('fe80::1%eth0'), null);
  assert.equal(normalizeIpv6Cidr('2001:db8::/129'), null);
  assert.equal(normalizeIpv6Cidr('1.2.3.4'), null);
  const r = ingress({ IpProtocol: 'tcp', PortRange: '22/22', Ipv6SourceCidrIp: '2001:DB8::/32', Ipv6DestCidrIp: '2001:db8:0:1::5' });
  assert.deepEqual(r.peer, { kind: 'cidr', cidr: '2001:db8::/32' });
  assert.equal(r.otherCidr, '2001:db8:0:1::5/128');
});

test('the other side: DestCidrIp for ingress, SourceCidrIp for egress', () => {
  assert.equal(ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '1.1.1.1', DestCidrIp: '10.0.0.0/24' }).otherCidr, '10.0.0.0/24');
  const e = egress({ IpProtocol: 'tcp', PortRange: '443/443', DestCidrIp: '0.0.0.0/0', SourceCidrIp: '10.0.1.0/24' });
  assert.deepEqual(e.peer, { kind: 'cidr', cidr: '0.0.0.0/0' });
  assert.equal(e.otherCidr, '10.0.1.0/24');
});

test('group authorization: the owner defaults to the rule\'s account and is shown only when named', () => {
  const own = ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceGroupId: 'sg-peer' });
  assert.deepEqual(own.peer, { kind: 'group', groupId: 'sg-peer', ownerAccountId: ACCOUNT, ownerAccountShown: '' });
  const cross = egress({ IpProtocol: 'tcp', PortRange: '22/22', DestGroupId: 'sg-peer', DestGroupOwnerId: OTHER_ACCOUNT });
  assert.deepEqual(cross.peer, { kind: 'group', groupId: 'sg-peer', ownerAccountId: OTHER_ACCOUNT, ownerAccountShown: OTHER_ACCOUNT });
  const byAccount = ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceGroupId: 'sg-peer', SourceGroupOwnerAccount: OTHER_ACCOUNT, SourceGroupOwnerId: OTHER_ACCOUNT });
  assert.equal(byAccount.peer.kind === 'group' && byAccount.peer.ownerAccountId, OTHER_ACCOUNT);
});

test('documented precedence among authorization objects: CIDR, then group, then prefix list', () => {
  const cidr = ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '1.1.1.1', SourceGroupId: 'sg-peer', SourceGroupOwnerId: OTHER_ACCOUNT, SourcePrefixListId: 'pl-1' });
  assert.deepEqual(cidr.peer, { kind: 'cidr', cidr: '1.1.1.1/32' });
  const grp = egress({ IpProtocol: 'tcp', PortRange: '22/22', DestGroupId: 'sg-peer', DestPrefixListId: 'pl-1' });
  assert.equal(grp.peer.kind, 'group');
  assert.deepEqual(egress({ IpProtocol: 'all', DestPrefixListId: 'pl-1' }).peer, { kind: 'prefixList', prefixListId: 'pl-1' });
});

test('priority 110 only for system rules', () => {
  refuses(() => ingress({ IpProtocol: 'all', SourceCidrIp: '0.0.0.0/0', Priority: '110' }), 'InvalidPriority.ValueNotSupported', 400);
  assert.equal(ingress({ IpProtocol: 'all', SourceCidrIp: '0.0.0.0/0', Priority: '110' }, VPC, { ...P, allowSystemPriority: true }).priority, 110);
  refuses(() => ingress({ IpProtocol: 'all', SourceCidrIp: '0.0.0.0/0', Priority: '101' }, VPC, { ...P, allowSystemPriority: true }), 'InvalidPriority.ValueNotSupported', 400);
});

// ---------------------------------------------------------------------------------------------
// Errors, one or more cases per code

test('MissingParameter names IpProtocol with the given prefix', () => {
  refuses(() => ingress({ PortRange: '22/22', SourceCidrIp: '1.1.1.1' }, VPC, { param: 'Permissions.2.' }), 'MissingParameter', 400, ['`Permissions.2.IpProtocol`']);
  refuses(() => ingress({ IpProtocol: '', SourceCidrIp: '1.1.1.1' }, VPC, {}), 'MissingParameter', 400, ['`IpProtocol`']);
});

test('InvalidIpProtocol.ValueNotSupported', () => {
  refuses(() => ingress({ IpProtocol: 'ipip', SourceCidrIp: '1.1.1.1' }), 'InvalidIpProtocol.ValueNotSupported', 400, ['`Permissions.1.IpProtocol`', '`ipip`']);
});

test('InvalidIpPortRange.Malformed: unparsable, out of range, start > end, missing for tcp/udp', () => {
  for (const pr of ['abc', '22', '22-23', '0/10', '1/65536', '-1/80', '80/-1', ' 22/22', '+1/2']) {
    refuses(() => ingress({ IpProtocol: 'tcp', PortRange: pr, SourceCidrIp: '1.1.1.1' }), 'InvalidIpPortRange.Malformed', 400, ['`Permissions.1.PortRange`']);
  }
  refuses(() => ingress({ IpProtocol: 'tcp', PortRange: '80/70', SourceCidrIp: '1.1.1.1' }), 'InvalidIpPortRange.Malformed', 400, ['`80/70`', 'greater']);
  refuses(() => ingress({ IpProtocol: 'udp', SourceCidrIp: '1.1.1.1' }), 'InvalidIpPortRange.Malformed', 400, ['`Permissions.1.PortRange`']);
  refuses(() => ingress({ IpProtocol: 'icmp', PortRange: 'x', SourceCidrIp: '1.1.1.1' }), 'InvalidIpPortRange.Malformed', 400);
});

test('OperationDenied: protocol vs port range mismatch', () => {
  for (const proto of ['tcp', 'UDP']) {
    refuses(() => ingress({ IpProtocol: proto, PortRange: '-1/-1', SourceCidrIp: '1.1.1.1' }), 'OperationDenied', 400, ['`Permissions.1.PortRange`', '`-1/-1`']);
  }
  for (const [proto, pr] of [['icmp', '22/22'], ['gre', '1/1'], ['all', '1/65535'], ['icmpv6', '-1/1']] as const) {
    refuses(() => ingress({ IpProtocol: proto, PortRange: pr, SourceCidrIp: proto === 'icmpv6' ? '::/0' : '0.0.0.0/0' }), 'OperationDenied', 400, [`\`${pr}\``]);
  }
});

test('InvalidSourcePortRange.Malformed', () => {
  assert.equal(ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourcePortRange: '1024/65535', SourceCidrIp: '1.1.1.1' }).sourcePortRange, '1024/65535');
  for (const [proto, spr] of [['tcp', 'x'], ['tcp', '2/1'], ['tcp', '-1/-1'], ['icmp', '1/2']] as const) {
    refuses(() => ingress({ IpProtocol: proto, PortRange: proto === 'tcp' ? '22/22' : '-1/-1', SourcePortRange: spr, SourceCidrIp: '1.1.1.1' }),
      'InvalidSourcePortRange.Malformed', 400, ['`Permissions.1.SourcePortRange`']);
  }
});

test('InvalidSourceCidrIp.Malformed / InvalidDestCidrIp.Malformed / InvalidParam.Ipv6*', () => {
  for (const c of ['10.0.0.256', '10.0.0.0/33', '10.0.0.0/', 'any', '10.0.0.0/08']) {
    refuses(() => ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: c }), 'InvalidSourceCidrIp.Malformed', 400, ['`Permissions.1.SourceCidrIp`', `\`${c}\``]);
  }
  refuses(() => egress({ IpProtocol: 'tcp', PortRange: '22/22', DestCidrIp: '300.0.0.0/8' }), 'InvalidDestCidrIp.Malformed', 400, ['`Permissions.1.DestCidrIp`']);
  // the other side of an ingress rule is DestCidrIp
  refuses(() => ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '1.1.1.1', DestCidrIp: 'x' }), 'InvalidDestCidrIp.Malformed', 400);
  refuses(() => egress({ IpProtocol: 'tcp', PortRange: '22/22', DestCidrIp: '1.1.1.1', SourceCidrIp: 'x' }), 'InvalidSourceCidrIp.Malformed', 400);
  refuses(() => ingress({ IpProtocol: 'tcp', PortRange: '22/22', Ipv6SourceCidrIp: '2001:db8::g' }), 'InvalidParam.Ipv6SourceCidrIp', 400, ['`Permissions.1.Ipv6SourceCidrIp`']);
  refuses(() => egress({ IpProtocol: 'tcp', PortRange: '22/22', Ipv6DestCidrIp: '2001:db8::/200' }), 'InvalidParam.Ipv6DestCidrIp', 400);
});

test('MissingParameter.Source for ingress, MissingParameter.Dest for egress', () => {
  refuses(() => ingress({ IpProtocol: 'tcp', PortRange: '22/22', DestCidrIp: '10.0.0.0/8' }), 'MissingParameter.Source', 400, ['`Permissions.1.SourceCidrIp`', '`Permissions.1.SourceGroupId`']);
  refuses(() => egress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '10.0.0.0/8' }), 'MissingParameter.Dest', 400, ['`Permissions.1.DestCidrIp`', '`Permissions.1.DestPrefixListId`']);
  // the owner alone is no authorization object
  refuses(() => ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceGroupOwnerId: OTHER_ACCOUNT }), 'MissingParameter.Source', 400);
});

test('InvalidPolicy.Malformed', () => {
  refuses(() => ingress({ IpProtocol: 'all', SourceCidrIp: '0.0.0.0/0', Policy: 'allow' }), 'InvalidPolicy.Malformed', 400, ['`Permissions.1.Policy`', '`allow`']);
});

test('InvalidPriority.Malformed and InvalidPriority.ValueNotSupported', () => {
  for (const v of ['x', '1.5', ' 1', '1e2', '+1']) {
    refuses(() => ingress({ IpProtocol: 'all', SourceCidrIp: '0.0.0.0/0', Priority: v }), 'InvalidPriority.Malformed', 400, ['`Permissions.1.Priority`']);
  }
  for (const v of ['0', '-1', '101', '110']) {
    refuses(() => ingress({ IpProtocol: 'all', SourceCidrIp: '0.0.0.0/0', Priority: v }), 'InvalidPriority.ValueNotSupported', 400, [`\`${v}\``]);
  }
});

test('InvalidNicType.ValueNotSupported and InvalidNicType.Mismatch', () => {
  refuses(() => ingress({ IpProtocol: 'all', SourceCidrIp: '0.0.0.0/0', NicType: 'wan' }), 'InvalidNicType.ValueNotSupported', 400, ['`Permissions.1.NicType`', '`wan`']);
  refuses(() => ingress({ IpProtocol: 'all', SourceCidrIp: '0.0.0.0/0', NicType: 'internet' }), 'InvalidNicType.Mismatch', 400, ['VPC']);
  refuses(() => egress({ IpProtocol: 'all', DestGroupId: 'sg-peer', NicType: 'internet' }), 'InvalidNicType.Mismatch', 400);
});

test('group authorization with NicType internet: InvalidSourceGroupId.Mismatch / InvalidDestGroupId.Mismatch (403)', () => {
  refuses(() => ingress({ IpProtocol: 'all', SourceGroupId: 'sg-peer', NicType: 'internet' }, CLASSIC), 'InvalidSourceGroupId.Mismatch', 403, ['`Permissions.1.NicType`']);
  refuses(() => egress({ IpProtocol: 'all', DestGroupId: 'sg-peer', NicType: 'internet' }, CLASSIC), 'InvalidDestGroupId.Mismatch', 403);
});

test('a group authorizing itself: InvalidParamter.Conflict (ingress) / InvalidSecurityGroup.IsSame (egress), 403', () => {
  refuses(() => ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceGroupId: 'sg-self' }), 'InvalidParamter.Conflict', 403, ['`Permissions.1.SourceGroupId`', '`sg-self`']);
  refuses(() => egress({ IpProtocol: 'tcp', PortRange: '22/22', DestGroupId: 'sg-self' }), 'InvalidSecurityGroup.IsSame', 403, ['`Permissions.1.DestGroupId`']);
});

test('source and destination CIDR equal: InvalidParamter.Conflict (400)', () => {
  refuses(() => ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '10.0.0.0/8', DestCidrIp: '10.1.0.0/8' }), 'InvalidParamter.Conflict', 400, ['`Permissions.1.DestCidrIp`']);
});

test('InvalidParameter: IPv4 and IPv6 on one side, mixed families, malformed or conflicting owner', () => {
  refuses(() => ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '1.1.1.1', Ipv6SourceCidrIp: '::/0' }), 'InvalidParameter', 400, ['`Permissions.1.Ipv6SourceCidrIp`', '`Permissions.1.SourceCidrIp`']);
  refuses(() => ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '1.1.1.1', DestCidrIp: '10.0.0.0/8', Ipv6DestCidrIp: '::/0' }), 'InvalidParameter', 400);
  refuses(() => ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '1.1.1.1', Ipv6DestCidrIp: '2001:db8::/64' }), 'InvalidParameter', 400, ['`Permissions.1.Ipv6DestCidrIp`']);
  refuses(() => ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceGroupId: 'sg-peer', SourceGroupOwnerId: 'abc' }), 'InvalidParameter', 400, ['`Permissions.1.SourceGroupOwnerId`']);
  refuses(() => egress({ IpProtocol: 'tcp', PortRange: '22/22', DestGroupId: 'sg-peer', DestGroupOwnerId: ACCOUNT, DestGroupOwnerAccount: OTHER_ACCOUNT }), 'InvalidParameter', 400, ['`Permissions.1.DestGroupOwnerAccount`']);
});

test('ICMP is IPv4 only, ICMPv6 IPv6 only', () => {
  refuses(() => ingress({ IpProtocol: 'icmp', Ipv6SourceCidrIp: '::/0' }), 'InvalidParam.Ipv4ProtocolConflictWithIpv6Address', 400, ['`Permissions.1.Ipv6SourceCidrIp`']);
  refuses(() => egress({ IpProtocol: 'icmpv6', DestCidrIp: '0.0.0.0/0' }), 'InvalidParam.Ipv6ProtocolConflictWithIpv4Address', 400, ['`Permissions.1.DestCidrIp`']);
  assert.equal(egress({ IpProtocol: 'icmpv6', Ipv6DestCidrIp: '::/0' }).ipProtocol, 'icmpv6');
});

test('classic groups: no prefix lists, no IPv6', () => {
  refuses(() => ingress({ IpProtocol: 'all', SourcePrefixListId: 'pl-1' }, CLASSIC), 'NotSupported.ClassicNetworkPrefixList', 400, ['`Permissions.1.SourcePrefixListId`']);
  refuses(() => egress({ IpProtocol: 'all', Ipv6DestCidrIp: '::/0' }, CLASSIC), 'InvalidParam.Ipv6DestCidrIp', 400, ['VPC']);
});

test('InvalidSecurityGroupDiscription.Malformed (sic) past 512 characters', () => {
  assert.equal(ingress({ IpProtocol: 'all', SourceCidrIp: '0.0.0.0/0', Description: 'd'.repeat(512) }).description.length, 512);
  refuses(() => ingress({ IpProtocol: 'all', SourceCidrIp: '0.0.0.0/0', Description: 'd'.repeat(513) }), 'InvalidSecurityGroupDiscription.Malformed', 400, ['`Permissions.1.Description`']);
});

test('errors are DomainErrors with the flat form\'s names when no prefix is given', () => {
  refuses(() => normalizeRule('ingress', { IpProtocol: 'tcp', PortRange: '80/70', SourceCidrIp: '1.1.1.1' }, VPC), 'InvalidIpPortRange.Malformed', 400, ['The specified `PortRange` `80/70`']);
});

// ---------------------------------------------------------------------------------------------
// Advanced (enterprise) groups

test('advanced groups: accept at priority 1, CIDR or prefix list only', () => {
  const ok = ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '0.0.0.0/0' }, ADVANCED);
  assert.equal(ok.priority, 1);
  assert.equal(ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '0.0.0.0/0', Priority: '1', Policy: 'Accept' }, ADVANCED).policy, 'accept');
  assert.equal(egress({ IpProtocol: 'all', DestPrefixListId: 'pl-1' }, ADVANCED).peer.kind, 'prefixList');
  refuses(() => ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '0.0.0.0/0', Policy: 'drop' }, ADVANCED), 'OperationDenied', 400, ['`Permissions.1.Policy`', 'advanced']);
  refuses(() => ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '0.0.0.0/0', Priority: '2' }, ADVANCED), 'OperationDenied', 400, ['`Permissions.1.Priority`']);
  refuses(() => egress({ IpProtocol: 'tcp', PortRange: '22/22', DestGroupId: 'sg-peer' }, ADVANCED), 'OperationDenied', 400, ['`Permissions.1.DestGroupId`']);
});

// ---------------------------------------------------------------------------------------------
// Classic groups

test('classic groups: an intranet ingress rule authorized by CIDR names one IPv4 address', () => {
  refuses(() => ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '10.0.0.0/8', NicType: 'intranet' }, CLASSIC), 'InvalidSourceCidrIp.Malformed', 400, ['`Permissions.1.SourceCidrIp`', '/32']);
  const single = ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '10.0.0.5', NicType: 'intranet' }, CLASSIC);
  assert.deepEqual(single.peer, { kind: 'cidr', cidr: '10.0.0.5/32' });
  // internet ingress, intranet egress and group authorization are not limited
  assert.equal(ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '0.0.0.0/0', NicType: 'internet' }, CLASSIC).nicType, 'internet');
  assert.equal(egress({ IpProtocol: 'all', DestCidrIp: '10.0.0.0/8', NicType: 'intranet' }, CLASSIC).nicType, 'intranet');
});

test('classic groups: NicType defaults to internet for CIDR rules and to intranet for group rules', () => {
  assert.equal(ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '0.0.0.0/0' }, CLASSIC).nicType, 'internet');
  assert.equal(ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceGroupId: 'sg-peer' }, CLASSIC).nicType, 'intranet');
  assert.equal(ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '0.0.0.0/0' }, VPC).nicType, 'intranet');
});

// ---------------------------------------------------------------------------------------------
// Identity

const base: RuleInput = { IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '10.0.0.0/8' };

test('identity: description is not part of it; spelling differences are normalized away', () => {
  assert.equal(ruleKey(ingress({ ...base, Description: 'a' })), ruleKey(ingress({ ...base, Description: 'b' })));
  assert.equal(ruleKey(ingress({ ...base, IpProtocol: 'TCP', Policy: 'ACCEPT' })), ruleKey(ingress(base)));
  assert.equal(ruleKey(ingress({ ...base, SourceCidrIp: '1.2.3.4' })), ruleKey(ingress({ ...base, SourceCidrIp: '1.2.3.4/32' })));
  assert.equal(ruleKey(ingress({ ...base, Priority: '1' })), ruleKey(ingress(base)));
  // naming one's own account as owner is the same rule as naming none
  assert.equal(
    ruleKey(ingress({ ...base, SourceCidrIp: undefined, SourceGroupId: 'sg-peer', SourceGroupOwnerId: ACCOUNT })),
    ruleKey(ingress({ ...base, SourceCidrIp: undefined, SourceGroupId: 'sg-peer' })));
});

test('identity: priority, policy, ports, peer, other side and direction make different rules', () => {
  const k = ruleKey(ingress(base));
  const variants: Array<[Direction, RuleInput]> = [
    ['ingress', { ...base, Priority: '2' }],
    ['ingress', { ...base, Policy: 'drop' }],
    ['ingress', { ...base, PortRange: '22/23' }],
    ['ingress', { ...base, SourcePortRange: '1/1024' }],
    ['ingress', { ...base, SourceCidrIp: '10.0.0.0/16' }],
    ['ingress', { ...base, DestCidrIp: '192.168.0.0/16' }],
    ['ingress', { ...base, IpProtocol: 'udp' }],
    ['egress', { IpProtocol: 'tcp', PortRange: '22/22', DestCidrIp: '10.0.0.0/8' }],
  ];
  for (const [dir, v] of variants) assert.notEqual(ruleKey(normalizeRule(dir, v, VPC)), k, JSON.stringify(v));
  assert.notEqual(
    ruleKey(ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceGroupId: 'sg-peer' })),
    ruleKey(ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceGroupId: 'sg-peer', SourceGroupOwnerId: OTHER_ACCOUNT })));
});

test('revoke tuples: policy and priority constrain only when given', () => {
  const rule = ingress({ ...base, Priority: '5', Policy: 'drop', Description: 'x' });
  const bare = normalizeTuple('ingress', base, VPC, P);
  assert.equal(bare.priority, undefined);
  assert.equal(bare.policy, undefined);
  assert.ok(ruleMatchesTuple(rule, bare));
  assert.ok(ruleMatchesTuple(rule, normalizeTuple('ingress', { ...base, Priority: '5' }, VPC)));
  assert.ok(ruleMatchesTuple(rule, normalizeTuple('ingress', { ...base, Policy: 'Drop', Priority: '5' }, VPC)));
  assert.ok(!ruleMatchesTuple(rule, normalizeTuple('ingress', { ...base, Priority: '1' }, VPC)));
  assert.ok(!ruleMatchesTuple(rule, normalizeTuple('ingress', { ...base, Policy: 'accept' }, VPC)));
  assert.ok(!ruleMatchesTuple(rule, normalizeTuple('ingress', { ...base, PortRange: '22/23' }, VPC)));
  assert.ok(!ruleMatchesTuple(rule, normalizeTuple('egress', { IpProtocol: 'tcp', PortRange: '22/22', DestCidrIp: '10.0.0.0/8' }, VPC)));
  // a tuple is validated like a rule, but authorize-only constraints don't apply to it
  refuses(() => normalizeTuple('ingress', { ...base, PortRange: '80/70' }, VPC), 'InvalidIpPortRange.Malformed', 400);
  assert.equal(normalizeTuple('ingress', { ...base, Policy: 'drop' }, ADVANCED).policy, 'drop');
});

// ---------------------------------------------------------------------------------------------
// Ports for the engine

test('port bounds', () => {
  assert.deepEqual(portRangeBounds(ingress(base)), [22, 22]);
  assert.deepEqual(portRangeBounds(ingress({ ...base, PortRange: '1/1024' })), [1, 1024]);
  assert.deepEqual(portRangeBounds(ingress({ IpProtocol: 'icmp', SourceCidrIp: '0.0.0.0/0' })), [1, 65535]);
  assert.deepEqual(sourcePortRangeBounds(ingress(base)), [1, 65535]);
  assert.deepEqual(sourcePortRangeBounds(ingress({ ...base, SourcePortRange: '1024/2048' })), [1024, 2048]);
});

// ---------------------------------------------------------------------------------------------
// DescribeSecurityGroupAttribute echo

const EMPTY = {
  DestCidrIp: '', DestGroupId: '', DestGroupName: '', DestGroupOwnerAccount: '', DestPrefixListId: '', DestPrefixListName: '',
  Ipv6DestCidrIp: '', Ipv6SourceCidrIp: '', PortRangeListId: '', PortRangeListName: '',
  SourceCidrIp: '', SourceGroupId: '', SourceGroupName: '', SourceGroupOwnerAccount: '', SourcePortRange: '',
  SourcePrefixListId: '', SourcePrefixListName: '',
};

test('toPermission: a CIDR rule, exactly as the real service echoes it', () => {
  const rule = ingress({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '0.0.0.0/0', Description: 'ssh' });
  assert.deepEqual(toPermission(rule, { securityGroupRuleId: 'sgr-1', createTime: '2018-12-12T07:28:38Z' }), {
    ...EMPTY,
    CreateTime: '2018-12-12T07:28:38Z', Description: 'ssh', Direction: 'ingress', IpProtocol: 'TCP', NicType: 'intranet',
    Policy: 'Accept', PortRange: '22/22', Priority: 1, SecurityGroupRuleId: 'sgr-1', SourceCidrIp: '0.0.0.0/0',
  });
});

test('toPermission: a group rule, with the group name and the owner only when named', () => {
  const names = new Map([['sg-peer', 'web']]);
  const rule = egress({ IpProtocol: 'UDP', PortRange: '53/53', DestGroupId: 'sg-peer', Policy: 'drop', Priority: '10', SourceCidrIp: '10.0.0.0/24' });
  assert.deepEqual(toPermission(rule, { securityGroupRuleId: 'sgr-2', createTime: '2024-01-01T00:00:00Z', groupNames: names }), {
    ...EMPTY,
    CreateTime: '2024-01-01T00:00:00Z', Description: '', Direction: 'egress', IpProtocol: 'UDP', NicType: 'intranet',
    Policy: 'Drop', PortRange: '53/53', Priority: 10, SecurityGroupRuleId: 'sgr-2',
    DestGroupId: 'sg-peer', DestGroupName: 'web', SourceCidrIp: '10.0.0.0/24',
  });
  const cross = ingress({ IpProtocol: 'all', SourceGroupId: 'sg-peer', SourceGroupOwnerAccount: OTHER_ACCOUNT });
  const p = toPermission(cross, { securityGroupRuleId: 'sgr-3', createTime: 't' });
  assert.equal(p.SourceGroupId, 'sg-peer');
  assert.equal(p.SourceGroupOwnerAccount, OTHER_ACCOUNT);
  assert.equal(p.SourceGroupName, '');
  assert.equal(p.IpProtocol, 'ALL');
  assert.equal(p.PortRange, '-1/-1');
});

test('toPermission: IPv6 blocks, prefix lists and source ports land in their own fields', () => {
  const v6 = toPermission(ingress({ IpProtocol: 'icmpv6', Ipv6SourceCidrIp: '2001:DB8::/32', Ipv6DestCidrIp: '2001:db8::1' }), { securityGroupRuleId: 'r', createTime: 't' });
  assert.equal(v6.Ipv6SourceCidrIp, '2001:db8::/32');
  assert.equal(v6.Ipv6DestCidrIp, '2001:db8::1/128');
  assert.equal(v6.SourceCidrIp, '');
  assert.equal(v6.IpProtocol, 'ICMPv6');
  const pl = toPermission(egress({ IpProtocol: 'tcp', PortRange: '443/443', SourcePortRange: '1024/65535', DestPrefixListId: 'pl-9' }),
    { securityGroupRuleId: 'r', createTime: 't', prefixListNames: new Map([['pl-9', 'cdn']]) });
  assert.equal(pl.DestPrefixListId, 'pl-9');
  assert.equal(pl.DestPrefixListName, 'cdn');
  assert.equal(pl.SourcePortRange, '1024/65535');
  assert.equal(pl.DestCidrIp, '');
});
