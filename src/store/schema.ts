// The tables, as Kysely sees them. Times are ISO-8601 UTC strings; booleans are 0/1 integers so
// both engines store them alike.
import type { Generated, Kysely, Transaction } from 'kysely';

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
  /** the VPC's IPv6 block, a /56 of Parapet's pool; '' when IPv6 is off (0021) */
  ipv6_cidr: string;
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
  /** the vSwitch's IPv6 block, a /64 of its VPC's /56; '' when IPv6 is off (0021) */
  ipv6_cidr: string;
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
  /** the authorized prefix list, '' when the peer is a CIDR or group (0019; indexed for associations and quotas) */
  peer_prefix_list_id: Generated<string>;
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
  /** 1: the Security Center agent is installed (SecurityEnhancementStrategy=Active, InstallSecurityAgent) */
  security_agent: number;
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
  /** its IPv6 addresses: a JSON array of compressed lower-case addresses, '[]' for none (0021) */
  ipv6_addresses: string;
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

// Anti-DDoS Basic (0016): times in ms since the epoch, rates in bits or packets per second, all numbers.

/** An instance's scrubbing thresholds (`bps_mbps` and `pps` 0: the instance type's maximum, `IsAuto`) and 0/1 `scrubbing`. */
export interface AntiddosSettingsTable { instance_id: string; account_id: string; bps_mbps: number; pps: number; scrubbing: number; updated_at: string }
/** A public address's state (`normal` | `defense` | `blackhole`) since when; `blackhole_until` 0 unless black-holed. */
export interface AntiddosIpStatusTable { ip: string; status: string; since: number; blackhole_until: number }
/** A scrubbing (`defense`) or `blackhole` event; `end_at` 0 while open; `status` open | ended | released. */
export interface AntiddosEventTable {
  id: string; account_id: string; region_id: string; instance_id: string; ip: string; type: string;
  start_at: number; last_at: number; end_at: number; until: number; peak_bps: number; peak_pps: number; status: string;
}
/** One second of an address's traffic (`second`: seconds since the epoch). */
export interface AntiddosSampleTable { ip: string; second: number; bps_in: number; pps_in: number; bps_out: number; pps_out: number }
/**
 * A penalty for an outbound flood: `end_at` 0 while open, `ended_by` '' | expired | operator;
 * `appeal_status` '' | pending | accepted.
 */
export interface AntiddosPenaltyTable {
  id: string; account_id: string; region_id: string; instance_id: string; ip: string; start_at: number; until: number; end_at: number; ended_by: string;
  peak_bps: number; peak_pps: number; appeal_text: string; appeal_status: string; appealed_at: number;
}

// Security Center basic (0017): times in ms since the epoch.

/** An account's last baseline scan (`seq` its number), and the one before it. */
export interface SasScanTable { account_id: string; seq: number; scanned_at: number; risk_count: number; previous_at: number; previous_count: number }
/**
 * One finding of a baseline check (`check_id`) on one resource (`resource`: an instance or group
 * id, a RAM user's ARN, an AccessKey id, the account id); `id` is its CheckWarningId. 0/1 `failing`
 * (as of the last scan) and `ignored`; `evidence` a JSON array of string maps.
 */
export interface SasWarningTable {
  account_id: string; check_id: number; resource: string; id: number; region_id: string; failing: number; ignored: number; reason: string;
  handled_at: number; first_found: number; evidence: string;
}

// Security Center alerts (0018): times in ms since the epoch.

/** An anti-brute-force rule: `span` and `forbidden_time` in minutes, 0/1 `default_rule`, `uuids` a JSON array of instance ids. */
export interface SasAbfRuleTable { account_id: string; id: number; name: string; fail_count: number; span: number; forbidden_time: number; default_rule: number; uuids: string; created_at: number }
/** A logon baseline item (`type` login_common_*; `value` canonical); `uuids` a JSON array of instance ids. */
export interface SasLoginBaseTable { account_id: string; type: string; value: string; uuids: string; created_at: number }
/** A failed logon inside the current windows. */
export interface SasLogonFailureTable { instance_id: string; ip: string; at: number }
/** A source blocked at an instance until `until` by rule `rule_id` (0: OperationSuspEvents block_ip). */
export interface SasBlockTable { instance_id: string; ip: string; account_id: string; until: number; rule_id: number }
/** An alert (`evidence` a JSON object of strings). */
export interface SasAlertTable {
  account_id: string; id: number; key: string; kind: string; level: string; status: string; instance_id: string; region_id: string; source_ip: string;
  first_at: number; last_at: number; count: number; resolved_at: number; handled_at: number; evidence: string;
}

/** A notification method of an account: `levels` comma list, `window` 'HH:MM-HH:MM' (UTC) or ''. */
export interface SasNotifyConfigTable { account_id: string; method: string; levels: string; target: string; secret: string; window: string }
/** One e-mail or webhook delivery of an alert (`payload` JSON); `sent_at` 0 until delivered. */
export interface SasOutboxTable {
  id: string; account_id: string; alert_id: number; method: string; target: string; secret: string; payload: string; attempts: number; next_at: number; sent_at: number; last_error: string;
}
/** An internal message. */
export interface SasInboxTable { account_id: string; id: number; alert_id: number; level: string; title: string; body: string; created_at: number }

// Prefix lists (0019).

/** A prefix list: `address_family` IPv4 | IPv6, `max_entries` 1..200 fixed at creation. */
export interface PrefixListTable { id: string; account_id: string; region_id: string; name: string; description: string; address_family: string; max_entries: number; created_at: string }
/** One entry of a prefix list: a normalized CIDR block, unique in its list, in the order added (`seq`). */
export interface PrefixListEntryTable { prefix_list_id: string; cidr: string; description: string; seq: number }

// Cloud Enterprise Network (0020)

/** A CEN instance. */
export interface CenTable { id: string; account_id: string; name: string; description: string; protection_level: string; status: string; created_at: string }
/** A VPC attached to a CEN (its CIDR block as at the attachment, for the overlap rule and the routes). */
export interface CenChildTable { vpc_id: string; cen_id: string; vpc_account_id: string; region_id: string; cidr_block: string; attached_at: string }
/** A VPC owner's grant of the VPC to a CEN of another account. */
export interface CenGrantTable { vpc_id: string; cen_id: string; cen_owner_id: string; vpc_account_id: string; region_id: string; created_at: string }

// IPv6 (0021)

/** An IPv6 gateway: one per VPC; `status` Available. */
export interface Ipv6GatewayTable { id: string; vpc_id: string; region_id: string; account_id: string; name: string; description: string; status: string; created_at: string }
/** The internet bandwidth of one IPv6 address (Mbit/s), through its VPC's gateway: the address reaches the IPv6 internet. */
export interface Ipv6InternetTable { address: string; id: string; ipv6_gateway_id: string; account_id: string; bandwidth: number; created_at: string }

export interface Schema {
  ipv6_gateways: Ipv6GatewayTable;
  ipv6_internet: Ipv6InternetTable;
  prefix_lists: PrefixListTable;
  prefix_list_entries: PrefixListEntryTable;
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
  antiddos_settings: AntiddosSettingsTable;
  antiddos_ip_status: AntiddosIpStatusTable;
  antiddos_events: AntiddosEventTable;
  antiddos_samples: AntiddosSampleTable;
  antiddos_penalties: AntiddosPenaltyTable;
  sas_scans: SasScanTable;
  sas_warnings: SasWarningTable;
  sas_abf_rules: SasAbfRuleTable;
  sas_login_base: SasLoginBaseTable;
  sas_logon_failures: SasLogonFailureTable;
  sas_blocks: SasBlockTable;
  sas_alerts: SasAlertTable;
  sas_notify_configs: SasNotifyConfigTable;
  sas_outbox: SasOutboxTable;
  sas_inbox: SasInboxTable;
  cens: CenTable;
  cen_children: CenChildTable;
  cen_grants: CenGrantTable;
}
