// The snapshot of one account the baseline checks read (model.ts's BaselineSnapshot): its
// instances (every region) with their primary ENI's address and groups and their IPv6 addresses
// with internet bandwidth (with the holding ENI's groups), its security groups as
// the engine models them plus their stored ingress accepts, its RAM users (login profile, MFA
// device, policies attached directly), AccessKeys, password policy, and the policies of the roles
// its agent instances have. A handful of queries, whatever the account's size.
import type { Db, Tx } from '../../store/store.ts';
import { findImage } from '../catalogs.ts';
import { loadFwGroups } from '../fw-groups.ts';
import { policyOf } from '../ram/password-policy.ts';
import { documentsForRole } from '../ram/documents.ts';
import { addressesOf } from '../ipv6.ts';
import type { BaselineSnapshot, SnapshotGroup, SnapshotInstance, SnapshotPolicyDoc, SnapshotUser } from './model.ts';

export async function readBaselineSnapshot(db: Db | Tx, accountId: string, now: number): Promise<BaselineSnapshot> {
  const [instanceRows, primaryGroups, ipv6Enis, internet6, groupRows, users, profiles, devices, attachments, keys, passwordPolicy] = await Promise.all([
    db.selectFrom('instances').select(['id', 'region_id', 'status', 'vpc_id', 'public_ip', 'image_id', 'security_agent', 'effective_password_hash', 'http_endpoint', 'http_tokens', 'ram_role_name'])
      .where('account_id', '=', accountId).orderBy('id').execute(),
    db.selectFrom('enis').leftJoin('eni_groups', 'eni_groups.eni_id', 'enis.id')
      .select(['enis.instance_id', 'enis.private_ip', 'eni_groups.security_group_id', 'eni_groups.position'])
      .where('enis.account_id', '=', accountId).where('enis.type', '=', 'Primary').where('enis.instance_id', '!=', '').execute(),
    db.selectFrom('enis').leftJoin('eni_groups', 'eni_groups.eni_id', 'enis.id')
      .select(['enis.id', 'enis.instance_id', 'enis.type', 'enis.ipv6_addresses', 'eni_groups.security_group_id', 'eni_groups.position'])
      .where('enis.account_id', '=', accountId).where('enis.instance_id', '!=', '').where('enis.ipv6_addresses', '!=', '[]').execute(),
    db.selectFrom('ipv6_internet').select('address').where('account_id', '=', accountId).execute(),
    db.selectFrom('security_groups').select(['id', 'region_id']).where('account_id', '=', accountId).execute(),
    db.selectFrom('ram_users').select('name').where('account_id', '=', accountId).orderBy('name').execute(),
    db.selectFrom('ram_login_profiles').select('user_name').where('account_id', '=', accountId).execute(),
    db.selectFrom('ram_mfa_devices').select('user_name').where('account_id', '=', accountId).where('user_name', '!=', '').execute(),
    db.selectFrom('ram_attachments').select(['principal_name', 'policy_name']).where('account_id', '=', accountId).where('principal_type', '=', 'User').where('policy_type', '=', 'System').execute(),
    db.selectFrom('access_keys').select(['id', 'user_name', 'status', 'created_at']).where('account_id', '=', accountId).orderBy('id').execute(),
    policyOf(db, accountId),
  ]);

  const eniOf = new Map<string, { ip: string; groups: Array<[number, string]> }>();
  for (const r of primaryGroups) {
    let e = eniOf.get(r.instance_id);
    if (e === undefined) eniOf.set(r.instance_id, e = { ip: r.private_ip, groups: [] });
    if (r.security_group_id !== null) e.groups.push([r.position ?? 0, r.security_group_id]);
  }
  // IPv6: per instance, its ENIs holding addresses with internet bandwidth (primary first), with their groups
  const withBandwidth = new Set(internet6.map((r) => r.address));
  const enis6 = new Map<string, { instanceId: string; primary: boolean; addresses: string[]; groups: Array<[number, string]> }>();
  for (const r of ipv6Enis) {
    let e = enis6.get(r.id);
    if (e === undefined) enis6.set(r.id, e = { instanceId: r.instance_id, primary: r.type === 'Primary', addresses: addressesOf(r.ipv6_addresses).filter((a) => withBandwidth.has(a)), groups: [] });
    if (r.security_group_id !== null) e.groups.push([r.position ?? 0, r.security_group_id]);
  }
  const ipv6Of = new Map<string, SnapshotInstance['ipv6Internet']>();
  const eniOrder = ([a, x]: [string, { primary: boolean }], [b, y]: [string, { primary: boolean }]) => Number(y.primary) - Number(x.primary) || (a < b ? -1 : a > b ? 1 : 0);
  for (const [, e] of [...enis6].sort(eniOrder)) {
    if (e.addresses.length === 0) continue;
    const securityGroupIds = e.groups.sort((a, b) => a[0] - b[0]).map(([, g]) => g);
    let list = ipv6Of.get(e.instanceId);
    if (list === undefined) ipv6Of.set(e.instanceId, list = []);
    for (const address of e.addresses) list.push({ address, securityGroupIds });
  }
  const instances = instanceRows.map((r): SnapshotInstance => {
    const eni = eniOf.get(r.id);
    return {
      instanceId: r.id, regionId: r.region_id, status: r.status, networkType: r.vpc_id === '' ? 'classic' : 'vpc', publicIp: r.public_ip,
      privateIp: eni?.ip ?? '', osType: findImage(r.image_id)?.osType ?? 'linux',
      securityGroupIds: (eni?.groups ?? []).sort((a, b) => a[0] - b[0]).map(([, id]) => id), ipv6Internet: ipv6Of.get(r.id) ?? [],
      agent: r.security_agent === 1, passwordLogon: r.effective_password_hash !== '', httpEndpoint: r.http_endpoint, httpTokens: r.http_tokens, ramRoleName: r.ram_role_name,
    };
  });

  const { groups: fw, rules } = await loadFwGroups(db, groupRows.map((g) => g.id));
  const groups = new Map<string, SnapshotGroup>();
  for (const g of groupRows) {
    const model = fw.get(g.id);
    if (model !== undefined) groups.set(g.id, { groupId: g.id, regionId: g.region_id, fw: model, ingressAccepts: [] });
  }
  for (const [ruleId, { groupId, rule }] of rules) {
    if (rule.direction !== 'ingress' || rule.policy !== 'accept' || rule.peer.kind !== 'cidr') continue;
    groups.get(groupId)?.ingressAccepts.push({ ruleId, ipProtocol: rule.ipProtocol, portRange: rule.portRange, cidr: rule.peer.cidr, priority: rule.priority });
  }

  const withProfile = new Set(profiles.map((p) => p.user_name));
  const withMfa = new Set(devices.map((d) => d.user_name));
  const direct = new Map<string, string[]>();
  for (const a of attachments) {
    let list = direct.get(a.principal_name);
    if (list === undefined) direct.set(a.principal_name, list = []);
    list.push(a.policy_name);
  }
  const snapshotUsers = users.map((u): SnapshotUser => ({ name: u.name, hasLoginProfile: withProfile.has(u.name), hasMfa: withMfa.has(u.name), directSystemPolicies: direct.get(u.name) ?? [] }));

  const rolePolicies = new Map<string, SnapshotPolicyDoc[]>();
  for (const role of new Set(instances.filter((i) => i.agent && i.ramRoleName !== '').map((i) => i.ramRoleName))) {
    rolePolicies.set(role, await documentsForRole(db, accountId, role));
  }

  return {
    accountId, now, instances, groups, users: snapshotUsers,
    accessKeys: keys.map((k) => ({ accessKeyId: k.id, userName: k.user_name, status: k.status, createdAt: k.created_at })),
    passwordPolicy, rolePolicies,
  };
}
