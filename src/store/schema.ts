// The tables, as Kysely sees them. Times are ISO-8601 UTC strings; booleans are 0/1 integers so
// both engines store them alike.
import type { Kysely, Transaction } from 'kysely';

/** The query builder over the whole schema, and a transaction of it. */
export type Db = Kysely<Schema>;
export type Tx = Transaction<Schema>;

export interface MetaTable { key: string; value: string }

export interface AccountTable { id: string; created_at: string }

export interface AccessKeyTable {
  id: string;
  secret: string;
  account_id: string;
  /** null for the account's root key; the RAM user's name otherwise */
  user_name: string | null;
  status: string;
  created_at: string;
}

export interface VpcTable {
  id: string;
  account_id: string;
  region_id: string;
  name: string;
  description: string;
  cidr_block: string;
  status: string;
  is_default: number;
  vrouter_id: string;
  route_table_id: string;
  resource_group_id: string;
  created_at: string;
}

export interface VSwitchTable {
  id: string;
  account_id: string;
  region_id: string;
  vpc_id: string;
  zone_id: string;
  name: string;
  description: string;
  cidr_block: string;
  status: string;
  created_at: string;
}

export interface TagTable {
  account_id: string;
  resource_type: string;
  resource_id: string;
  key: string;
  value: string;
}

export interface ClientTokenTable {
  account_id: string;
  action: string;
  token: string;
  /** fingerprint of the parameters the token was first used with */
  params_hash: string;
  response: string;
  created_at: string;
}

export interface SecurityGroupTable {
  id: string;
  account_id: string;
  region_id: string;
  /** '' for a classic-network group */
  vpc_id: string;
  network_type: string;
  /** 'normal' (basic) or 'enterprise' (advanced) */
  type: string;
  name: string;
  description: string;
  inner_access_policy: string;
  resource_group_id: string;
  created_at: string;
}

export interface SgRuleTable {
  id: string;
  security_group_id: string;
  /** identity of the rule (direction, protocol, ports, NIC type, policy, priority, peer) */
  rule_key: string;
  /** the normalized rule as JSON */
  body: string;
  /** the authorized group, '' when the peer is a CIDR or prefix list (indexed for references) */
  peer_group_id: string;
  created_at: string;
  /** order of creation within the group */
  seq: number;
}

export interface InstanceTable {
  id: string;
  account_id: string;
  region_id: string;
  zone_id: string;
  /** '' for a classic-network instance */
  vpc_id: string;
  vswitch_id: string;
  image_id: string;
  instance_type: string;
  name: string;
  description: string;
  status: string;
  public_ip: string;
  bandwidth_out: number;
  key_pair_name: string;
  created_at: string;
  /** the instance RAM role, '' when none */
  ram_role_name: string;
  /** metadata service: 'enabled' | 'disabled' */
  http_endpoint: string;
  /** metadata service: 'optional' | 'required' (hardened mode only) */
  http_tokens: string;
  /** the key in force (authorized_keys): `key_pair_name` as of the last start or reboot (SPEC §2) */
  effective_key_name: string;
  effective_public_key: string;
  /** the instance's host name (`HostName`; `iZ…Z` by default), applied at each start or reboot */
  host_name: string;
  /** counts starts and reboots: the data plane restarts the instance's processes when it changes */
  boot_seq: number;
  /**
   * root's password as a SHA-512 crypt hash (`$6$…`, salted), '' when none or when a key pair was
   * bound after it was set (SPEC §2: binding a key turns password logon off until a reset)
   */
  password_hash: string;
  /** `password_hash` as of the last start or reboot: what the instance's /etc/shadow holds for root */
  effective_password_hash: string;
}

export interface EniTable {
  id: string;
  account_id: string;
  region_id: string;
  zone_id: string;
  vpc_id: string;
  vswitch_id: string;
  /** '' when not attached */
  instance_id: string;
  /** 'Primary' or 'Secondary' */
  type: string;
  private_ip: string;
  /** where the address is unique: the vSwitch id, or `classic:{region}` */
  address_space: string;
  mac: string;
  name: string;
  description: string;
  created_at: string;
}

export interface EniGroupTable { eni_id: string; security_group_id: string; position: number }

export interface RamUserTable { account_id: string; name: string; id: string; display_name: string; comments: string; email: string; mobile_phone: string; created_at: string; updated_at: string }
export interface RamGroupTable { account_id: string; name: string; id: string; comments: string; created_at: string; updated_at: string }
export interface RamGroupMemberTable { account_id: string; group_name: string; user_name: string; joined_at: string }
export interface RamPolicyTable { account_id: string; name: string; description: string; default_version: string; next_version: number; created_at: string; updated_at: string }
export interface RamPolicyVersionTable { account_id: string; policy_name: string; version_id: string; document: string; created_at: string }
export interface RamAttachmentTable { account_id: string; policy_type: string; policy_name: string; principal_type: string; principal_name: string; attached_at: string }

export interface RamRoleTable { account_id: string; name: string; id: string; trust_policy: string; description: string; max_session_duration: number; created_at: string; updated_at: string }

export interface RamLoginProfileTable { account_id: string; user_name: string; password_hash: string; password_reset_required: number; mfa_bind_required: number; created_at: string }

export interface KeyPairTable {
  account_id: string; region_id: string; name: string; id: string; fingerprint: string; public_key: string;
  resource_group_id: string; created_at: string;
  /** 1: deleted while bound to an instance; the name stays taken (SPEC §2) */
  deleted: number;
}

/** PostgreSQL: a signed request's nonce (a digest of AccessKey and nonce) and when its request stops being fresh. */
export interface NonceTable { expires_at: number; key: string }

/** PostgreSQL: the revision is `meta.revision` plus the sum of these counters (one per connection slot, so writers don't queue on one row). */
export interface RevisionShardTable { shard: number; n: number }

/** A login profile's sign-in state (0012): `password_history` is a JSON array of earlier hashes, newest first; times are ISO or '' */
export interface RamLoginProfileSignInColumns { password_changed_at: string; password_history: string; failed_attempts: number; failed_since: string; locked_until: string }

/** An account's RAM password policy; booleans are 0/1. No row: the defaults (src/domain/ram/password-policy.ts). */
export interface RamPasswordPolicyTable {
  account_id: string; minimum_length: number; require_lowercase: number; require_uppercase: number; require_numbers: number; require_symbols: number;
  hard_expiry: number; max_password_age: number; reuse_prevention: number; max_login_attempts: number;
}

/** An account's alias, unique on the server (its users sign in as `name@<alias>.onaliyun.com`). */
export interface RamAccountAliasTable { account_id: string; alias: string }

/**
 * A virtual MFA device: its TOTP seed encrypted under the server key, the user it is bound to
 * ('' while unbound), when it was bound, and the last TOTP time step a code was accepted for (so a
 * code is never accepted twice).
 */
export interface RamMfaDeviceTable { account_id: string; name: string; seed: string; user_name: string; activated_at: string; last_step: number; created_at: string }

/** An account's override of a configured quota (`name` is its DescribeAccountAttributes name) or one of its settings (`Port25Unblocked`, `DefaultGroupOpenHttp`). */
export interface AccountSettingTable { account_id: string; name: string; value: string; updated_at: string }

/**
 * A web console session: the SHA-256 (hex) of its random id, its CSRF token, who it signed in as
 * (`user_name` and `user_id` '' for the root; `access_key_id` '' for a password sign-in), 0/1 flags, ISO times.
 */
export interface ConsoleSessionTable {
  id_hash: string; csrf_token: string; account_id: string; user_name: string; user_id: string; access_key_id: string;
  mfa_present: number; password_change_required: number; issued_at: string; expires_at: string;
}

export interface Schema {
  nonces: NonceTable;
  revision_shards: RevisionShardTable;
  key_pairs: KeyPairTable;
  ram_login_profiles: RamLoginProfileTable & RamLoginProfileSignInColumns;
  ram_password_policies: RamPasswordPolicyTable;
  ram_account_aliases: RamAccountAliasTable;
  ram_mfa_devices: RamMfaDeviceTable;
  ram_roles: RamRoleTable;
  ram_users: RamUserTable;
  ram_groups: RamGroupTable;
  ram_group_members: RamGroupMemberTable;
  ram_policies: RamPolicyTable;
  ram_policy_versions: RamPolicyVersionTable;
  ram_attachments: RamAttachmentTable;
  instances: InstanceTable;
  enis: EniTable;
  eni_groups: EniGroupTable;
  security_groups: SecurityGroupTable;
  sg_rules: SgRuleTable;
  meta: MetaTable;
  accounts: AccountTable;
  access_keys: AccessKeyTable;
  vpcs: VpcTable;
  vswitches: VSwitchTable;
  tags: TagTable;
  client_tokens: ClientTokenTable;
  account_settings: AccountSettingTable;
  console_sessions: ConsoleSessionTable;
}
