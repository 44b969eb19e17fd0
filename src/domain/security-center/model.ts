// Security Center basic: the baseline checks (their ids, names, levels, categories, advice, and
// whether Parapet fixes them), the snapshot of an account the checks read, and the findings they
// answer. The sas API calls a check a risk item (`RiskId`) with one check item (`CheckId`, the
// same number) and, in the cloud-configuration view, an item (`ItemId`, the same number again);
// a finding on one resource is a warning (`CheckWarningId`). Pure types and constants.
import type { FwGroup } from '../../engine/firewall/index.ts';
import type { PasswordPolicy } from '../ram/password-policy.ts';

export type CheckLevel = 'high' | 'medium' | 'low';

/** What a finding is about; an instance finding exists only for an instance with the agent. */
export type ResourceKind = 'instance' | 'securitygroup' | 'ram-user' | 'accesskey' | 'account';

/** The categories of DescribeRiskCheckSummary's groups and DescribeRiskCheckResult's `GroupId` (the reference's numbers). */
export const CHECK_GROUPS = [
  { id: 1, title: 'Identity authentication and permissions', sort: 1 },
  { id: 2, title: 'Network access control', sort: 2 },
  { id: 6, title: 'Basic security protection', sort: 6 },
] as const;
export type CheckGroupId = (typeof CHECK_GROUPS)[number]['id'];

export interface CheckDef {
  id: number;
  /** a short stable key (the console and the docs use it) */
  key: string;
  name: string;
  level: CheckLevel;
  kind: ResourceKind;
  group: CheckGroupId;
  /** DescribeCheckWarnings' `Type` (the reference's hc.check.type.* words) */
  checkType: string;
  /** DescribeCheckWarningSummary's `TypeAlias`, and `TypeName`'s filter value */
  typeAlias: string;
  /** DescribeRiskCheckResult's `RiskAssertType` */
  assetType: 'ECS' | 'SecurityGroup' | 'RAM';
  description: string;
  advice: string;
  /** FixCheckWarnings can fix it (security-center/fix.ts) */
  fixable: boolean;
  /** the evidence's columns: key and display name (DescribeCheckWarningDetail's CheckDetailColumns) */
  columns: ReadonlyArray<readonly [key: string, showName: string]>;
}

/** Checks 1-3's evidence: one row per exposed service; an IPv6 row (::/0) also names the instance's IPv6 address. */
const exposureColumns = [['Protocol', 'Protocol'], ['PortRange', 'Port range'], ['Service', 'Service'], ['SourceCidrIp', 'Source'], ['Ipv6Address', 'IPv6 address'], ['SecurityGroupId', 'Security group'], ['SecurityGroupRuleId', 'Rule']] as const;

/** Every check, by id. Instance checks (`kind` instance) look only at instances with the agent. */
export const CHECKS: readonly CheckDef[] = [
  {
    id: 1, key: 'ssh_open_to_internet', name: 'SSH port open to the internet', level: 'high', kind: 'instance', group: 2,
    checkType: 'hc.check.type.access_control', typeAlias: 'network', assetType: 'ECS',
    description: 'The instance\'s security groups let every internet address reach SSH (TCP 22): anyone can try passwords and exploits against sshd.',
    advice: 'Authorize SSH only from the addresses you administer from (a CIDR block, or a bastion host\'s group), and revoke the rule that opens it to 0.0.0.0/0.',
    fixable: false, columns: exposureColumns,
  },
  {
    id: 2, key: 'rdp_open_to_internet', name: 'RDP port open to the internet', level: 'high', kind: 'instance', group: 2,
    checkType: 'hc.check.type.access_control', typeAlias: 'network', assetType: 'ECS',
    description: 'The instance\'s security groups let every internet address reach Remote Desktop (TCP 3389).',
    advice: 'Authorize RDP only from the addresses you administer from, and revoke the rule that opens it to 0.0.0.0/0.',
    fixable: false, columns: exposureColumns,
  },
  {
    id: 3, key: 'database_open_to_internet', name: 'Database ports open to the internet', level: 'high', kind: 'instance', group: 2,
    checkType: 'hc.check.type.access_control', typeAlias: 'database', assetType: 'ECS',
    description: 'The instance\'s security groups let every internet address reach a database port (SQL Server, Oracle, MySQL, PostgreSQL, Redis, MongoDB).',
    advice: 'Databases belong on the internal network: authorize their ports only from your application servers\' group or addresses, and revoke the rule that opens them to 0.0.0.0/0.',
    fixable: false, columns: exposureColumns,
  },
  {
    id: 4, key: 'security_group_allows_all_ingress', name: 'Security group allows all inbound traffic', level: 'high', kind: 'securitygroup', group: 2,
    checkType: 'hc.check.type.access_control', typeAlias: 'network', assetType: 'SecurityGroup',
    description: 'An inbound accept rule of the group allows every protocol and port (or every TCP or UDP port) from every address (0.0.0.0/0 or ::/0).',
    advice: 'Replace the rule with rules for the ports your services need, from the sources that need them.',
    fixable: false, columns: [['SecurityGroupRuleId', 'Rule'], ['IpProtocol', 'Protocol'], ['PortRange', 'Port range'], ['SourceCidrIp', 'Source'], ['Priority', 'Priority']],
  },
  {
    id: 5, key: 'ram_user_console_without_mfa', name: 'RAM user with console access but no MFA', level: 'high', kind: 'ram-user', group: 1,
    checkType: 'hc.check.type.identity_auth', typeAlias: 'account', assetType: 'RAM',
    description: 'The RAM user can sign in to the console with a password, and has no MFA device bound: a stolen password is enough.',
    advice: 'Bind a virtual MFA device to the user (or require one at the next sign-in with MFABindRequired), or delete its login profile if it needs no console.',
    fixable: false, columns: [['UserName', 'User'], ['LoginProfile', 'Console logon'], ['MFADevice', 'MFA device']],
  },
  {
    id: 6, key: 'root_access_key_in_use', name: 'Alibaba Cloud account AccessKey in use', level: 'high', kind: 'accesskey', group: 1,
    checkType: 'hc.check.type.identity_auth', typeAlias: 'account', assetType: 'RAM',
    description: 'The account itself has an active AccessKey: it can do anything, and RAM policies can\'t limit it.',
    advice: 'Create RAM users with the permissions programs need, move programs to their AccessKeys, then disable and delete the account\'s own AccessKey.',
    fixable: false, columns: [['AccessKeyId', 'AccessKey'], ['Status', 'Status'], ['CreateDate', 'Created']],
  },
  {
    id: 7, key: 'access_key_not_rotated', name: 'AccessKey older than 90 days', level: 'medium', kind: 'accesskey', group: 1,
    checkType: 'hc.check.type.identity_auth', typeAlias: 'account', assetType: 'RAM',
    description: 'An active AccessKey was created more than 90 days ago and has not been rotated.',
    advice: 'Create a second AccessKey for the user, move its programs to it, then disable and delete the old one.',
    fixable: false, columns: [['AccessKeyId', 'AccessKey'], ['UserName', 'User'], ['CreateDate', 'Created'], ['AgeDays', 'Age (days)']],
  },
  {
    id: 8, key: 'admin_policy_attached_to_user', name: 'AdministratorAccess attached directly to a RAM user', level: 'medium', kind: 'ram-user', group: 1,
    checkType: 'hc.check.type.identity_auth', typeAlias: 'account', assetType: 'RAM',
    description: 'The RAM user has the AdministratorAccess system policy attached directly: full control of every resource, outside any group\'s review.',
    advice: 'Grant the user the narrower policies its work needs, through a group; keep administrators few and in one group.',
    fixable: false, columns: [['UserName', 'User'], ['PolicyName', 'Policy'], ['PolicyType', 'Policy type']],
  },
  {
    id: 9, key: 'weak_password_policy', name: 'Weak RAM password policy', level: 'medium', kind: 'account', group: 1,
    checkType: 'hc.check.type.identity_auth', typeAlias: 'account', assetType: 'RAM',
    description: 'The account\'s password policy for RAM users allows short or simple passwords, or never locks a user out after wrong passwords.',
    advice: 'Require at least 8 characters with three of upper case, lower case, digits and symbols, and lock a user out after at most 5 wrong passwords in an hour (FixCheckWarnings does this).',
    fixable: true, columns: [['Setting', 'Setting'], ['Value', 'Value'], ['Expected', 'Expected']],
  },
  {
    id: 10, key: 'instance_password_logon', name: 'Password logon enabled on a Linux instance', level: 'medium', kind: 'instance', group: 6,
    checkType: 'hc.check.type.identity_auth', typeAlias: 'system', assetType: 'ECS',
    description: 'root can log on to the Linux instance with a password, which can be guessed; a key pair can\'t.',
    advice: 'Bind a key pair to the instance (AttachKeyPair) and restart it: a key turns password logon off.',
    fixable: false, columns: [['InstanceId', 'Instance'], ['OSType', 'OS'], ['PasswordLogon', 'Password logon']],
  },
  {
    id: 11, key: 'metadata_not_hardened', name: 'Instance metadata not in hardened mode', level: 'medium', kind: 'instance', group: 6,
    checkType: 'hc.check.type.service_conf', typeAlias: 'system', assetType: 'ECS',
    description: 'The instance\'s metadata service answers without a token (HttpTokens optional): a request forgery in any program on the instance can read its role\'s credentials.',
    advice: 'Require tokens (ModifyInstanceMetadataOptions HttpTokens=required; FixCheckWarnings does this) once the instance\'s programs fetch a token first.',
    fixable: true, columns: [['InstanceId', 'Instance'], ['HttpEndpoint', 'Metadata service'], ['HttpTokens', 'Tokens']],
  },
  {
    id: 12, key: 'instance_role_admin', name: 'Instance RAM role with administrator permissions', level: 'high', kind: 'instance', group: 1,
    checkType: 'hc.check.type.identity_auth', typeAlias: 'account', assetType: 'ECS',
    description: 'The instance\'s RAM role has a policy that allows every action on every resource: anyone who runs code on the instance controls the account.',
    advice: 'Give the role only the actions the instance\'s programs need, on their resources, and detach the administrator policy.',
    fixable: false, columns: [['InstanceId', 'Instance'], ['RoleName', 'Role'], ['PolicyName', 'Policy'], ['PolicyType', 'Policy type']],
  },
];

const BY_ID = new Map(CHECKS.map((c) => [c.id, c]));
export function findCheck(id: number): CheckDef | undefined { return BY_ID.get(id); }

/** AccessKeys older than this are reported by check 7. */
export const ACCESS_KEY_MAX_AGE_DAYS = 90;

/** The ports check 3 calls databases (exposure.ts's RISKY names). */
export const DATABASE_SERVICES: ReadonlySet<string> = new Set(['SQL Server', 'Oracle', 'MySQL', 'PostgreSQL', 'Redis', 'MongoDB']);

/** One instance as the checks see it. */
export interface SnapshotInstance {
  instanceId: string;
  regionId: string;
  status: string;
  networkType: 'vpc' | 'classic';
  publicIp: string;
  privateIp: string;
  osType: 'linux' | 'windows';
  securityGroupIds: string[];
  /**
   * its IPv6 addresses with internet bandwidth (an IPv6 gateway's), on any of its ENIs, each with
   * the groups of the ENI that holds it (what decides that address's IPv6 flows)
   */
  ipv6Internet: Array<{ address: string; securityGroupIds: string[] }>;
  /** the Security Center agent is installed */
  agent: boolean;
  /** root has a password in force (since the last start or reboot) */
  passwordLogon: boolean;
  httpEndpoint: string;
  httpTokens: string;
  ramRoleName: string;
}

export interface SnapshotGroup {
  groupId: string;
  regionId: string;
  /** the group as the engine models it (IPv4 and IPv6 rules) */
  fw: FwGroup;
  /** every ingress accept rule as stored (IPv6 included), for the allow-all check */
  ingressAccepts: Array<{ ruleId: string; ipProtocol: string; portRange: string; cidr: string; priority: number }>;
}

export interface SnapshotUser { name: string; hasLoginProfile: boolean; hasMfa: boolean; directSystemPolicies: string[] }
export interface SnapshotAccessKey { accessKeyId: string; userName: string | null; status: string; createdAt: string }
export interface SnapshotPolicyDoc { name: string; type: string; document: string }

/** What the baseline checks read of one account, taken at `now` (ms). */
export interface BaselineSnapshot {
  accountId: string;
  now: number;
  instances: SnapshotInstance[];
  groups: Map<string, SnapshotGroup>;
  users: SnapshotUser[];
  accessKeys: SnapshotAccessKey[];
  passwordPolicy: PasswordPolicy;
  /** the policies of each role an instance has */
  rolePolicies: Map<string, SnapshotPolicyDoc[]>;
}

/** One finding: a check failing on one resource, with what shows it. */
export interface Finding {
  checkId: number;
  /** the resource's id as the API names it (`Uuid`) */
  resource: string;
  regionId: string;
  /** rows of the check's columns */
  evidence: Array<Record<string, string>>;
}
