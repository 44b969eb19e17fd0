// The ARNs of the resources a call touches, one builder per resource type, so every operation
// names a resource the same way (`acs:{service}:{region}:{account}:{type}/{id}`). An operation
// lists the ARN of everything it names: the resource it acts on and each security group,
// vSwitch, VPC, key pair or instance it refers to (a Deny on any of them refuses the call).
// The domain builds them too (authorization of metadata endpoints), hence this home.

/** `acs:{service}:{region}:{account}:{relative}`; a `:` inside a given value is escaped so the
 * ARN keeps its five parts whatever a caller sent. */
export function arn(service: string, region: string, account: string, relative: string): string {
  if (region.includes(':')) region = region.replace(/:/g, '%3A');
  if (account.includes(':')) account = account.replace(/:/g, '%3A');
  return `acs:${service}:${region}:${account}:${relative}`;
}

/** `acs:ram::{account}:role/{name}` with the name exactly as the role was created: role names are
 * compared exactly everywhere, so one ARN names one role and a policy on it can't be dodged by
 * another spelling. */
export const roleArn = (accountId: string, name: string): string => `acs:ram::${accountId}:role/${name}`;

export const instanceArn = (region: string, account: string, id: string): string => arn('ecs', region, account, `instance/${id}`);
export const eniArn = (region: string, account: string, id: string): string => arn('ecs', region, account, `networkinterface/${id}`);
export const sgArn = (region: string, account: string, id: string): string => arn('ecs', region, account, `securitygroup/${id}`);
export const prefixListArn = (region: string, account: string, id: string): string => arn('ecs', region, account, `prefixlist/${id}`);
export const keyPairArn = (region: string, account: string, name: string): string => arn('ecs', region, account, `keypair/${name}`);
export const vpcArn = (region: string, account: string, id: string): string => arn('vpc', region, account, `vpc/${id}`);
export const vSwitchArn = (region: string, account: string, id: string): string => arn('vpc', region, account, `vswitch/${id}`);
export const ipv6GatewayArn = (region: string, account: string, id: string): string => arn('vpc', region, account, `ipv6gateway/${id}`);
export const ipv6AddressArn = (region: string, account: string, id: string): string => arn('vpc', region, account, `ipv6address/${id}`);

const given = (v: string | undefined): v is string => v !== undefined && v !== '';

/** The ARNs of the optional things a call names: each given id (or list of ids) becomes one ARN. */
export function named(build: (id: string) => string, ...ids: Array<string | readonly string[] | undefined>): string[] {
  const out: string[] = [];
  for (const v of ids) {
    if (typeof v === 'string') { if (given(v)) out.push(build(v)); }
    else if (v !== undefined) { for (const id of v) if (given(id)) out.push(build(id)); }
  }
  return [...new Set(out)];
}

/**
 * The groups a rule list authorizes (`SourceGroupId` / `DestGroupId`) in the caller's own
 * account: a rule that lets traffic from or to a group touches that group. Groups of other
 * accounts are theirs to govern (cross-account authorization checks them in the domain).
 */
export function peerGroups(region: string, account: string, permissions: ReadonlyArray<Record<string, string | undefined>> | undefined): string[] {
  if (permissions === undefined) return [];
  const ids: string[] = [];
  for (const p of permissions) {
    for (const [group, ownerId, ownerAccount] of [['SourceGroupId', 'SourceGroupOwnerId', 'SourceGroupOwnerAccount'], ['DestGroupId', 'DestGroupOwnerId', 'DestGroupOwnerAccount']] as const) {
      const id = p[group];
      const owner = p[ownerId] || p[ownerAccount] || account;
      if (given(id) && owner === account) ids.push(id);
    }
  }
  return named((id) => sgArn(region, account, id), ids);
}

/**
 * The prefix lists a rule list authorizes (`SourcePrefixListId` / `DestPrefixListId`): a rule that
 * lets traffic from or to a list touches that list. Lists are per account, so they are the caller's.
 */
export function peerPrefixLists(region: string, account: string, permissions: ReadonlyArray<Record<string, string | undefined>> | undefined): string[] {
  if (permissions === undefined) return [];
  return named((id) => prefixListArn(region, account, id), permissions.flatMap((p) => [p['SourcePrefixListId'] ?? '', p['DestPrefixListId'] ?? '']));
}
