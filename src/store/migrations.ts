// Schema migrations, in code so both engines run the same steps. Append; never edit a step that
// has shipped.
import type { Kysely, Migration, MigrationProvider } from 'kysely';

const migrations: Record<string, Migration> = {
  '0001_foundation': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- migrations run before the typed schema exists
      await db.schema.createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.insertInto('meta').values({ key: 'revision', value: '0' }).execute();
      await db.schema.createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createTable('access_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('user_name', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createTable('vpcs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('cidr_block', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('is_default', 'integer', (c) => c.notNull())
        .addColumn('vrouter_id', 'text', (c) => c.notNull())
        .addColumn('route_table_id', 'text', (c) => c.notNull())
        .addColumn('resource_group_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('vpcs_by_owner').on('vpcs').columns(['account_id', 'region_id', 'created_at']).execute();
      await db.schema.createTable('vswitches')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region_id', 'text', (c) => c.notNull())
        .addColumn('vpc_id', 'text', (c) => c.notNull().references('vpcs.id'))
        .addColumn('zone_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('cidr_block', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('vswitches_by_vpc').on('vswitches').columns(['vpc_id']).execute();
      await db.schema.createIndex('vswitches_by_owner').on('vswitches').columns(['account_id', 'region_id', 'created_at']).execute();
      await db.schema.createTable('tags')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('tags_pk', ['resource_type', 'resource_id', 'key'])
        .execute();
      await db.schema.createTable('client_tokens')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('params_hash', 'text', (c) => c.notNull())
        .addColumn('response', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('client_tokens_pk', ['account_id', 'action', 'token'])
        .execute();
    },
  },
  '0002_security_groups': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      await db.schema.createTable('security_groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region_id', 'text', (c) => c.notNull())
        .addColumn('vpc_id', 'text', (c) => c.notNull())
        .addColumn('network_type', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('inner_access_policy', 'text', (c) => c.notNull())
        .addColumn('resource_group_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('security_groups_by_owner').on('security_groups').columns(['account_id', 'region_id', 'created_at']).execute();
      await db.schema.createTable('sg_rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('security_group_id', 'text', (c) => c.notNull().references('security_groups.id'))
        .addColumn('rule_key', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('peer_group_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addUniqueConstraint('sg_rules_identity', ['security_group_id', 'rule_key'])
        .execute();
      await db.schema.createIndex('sg_rules_by_peer').on('sg_rules').columns(['peer_group_id']).execute();
    },
  },
  '0003_instances': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      await db.schema.createTable('instances')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region_id', 'text', (c) => c.notNull())
        .addColumn('zone_id', 'text', (c) => c.notNull())
        .addColumn('vpc_id', 'text', (c) => c.notNull())
        .addColumn('vswitch_id', 'text', (c) => c.notNull())
        .addColumn('image_id', 'text', (c) => c.notNull())
        .addColumn('instance_type', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('public_ip', 'text', (c) => c.notNull())
        .addColumn('bandwidth_out', 'integer', (c) => c.notNull())
        .addColumn('key_pair_name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('instances_by_owner').on('instances').columns(['account_id', 'region_id', 'created_at']).execute();
      await db.schema.createTable('enis')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region_id', 'text', (c) => c.notNull())
        .addColumn('zone_id', 'text', (c) => c.notNull())
        .addColumn('vpc_id', 'text', (c) => c.notNull())
        .addColumn('vswitch_id', 'text', (c) => c.notNull())
        .addColumn('instance_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('private_ip', 'text', (c) => c.notNull())
        .addColumn('address_space', 'text', (c) => c.notNull())
        .addColumn('mac', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('enis_unique_ip', ['address_space', 'private_ip'])
        .execute();
      await db.schema.createIndex('enis_by_instance').on('enis').columns(['instance_id']).execute();
      await db.schema.createIndex('enis_by_vswitch').on('enis').columns(['vswitch_id']).execute();
      await db.schema.createTable('eni_groups')
        .addColumn('eni_id', 'text', (c) => c.notNull().references('enis.id'))
        .addColumn('security_group_id', 'text', (c) => c.notNull().references('security_groups.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('eni_groups_pk', ['eni_id', 'security_group_id'])
        .execute();
      await db.schema.createIndex('eni_groups_by_group').on('eni_groups').columns(['security_group_id']).execute();
    },
  },
  '0004_ram': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      await db.schema.createTable('ram_users')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('comments', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('mobile_phone', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ram_users_pk', ['account_id', 'name'])
        .execute();
      await db.schema.createTable('ram_groups')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('comments', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ram_groups_pk', ['account_id', 'name'])
        .execute();
      await db.schema.createTable('ram_group_members')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('group_name', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('joined_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ram_group_members_pk', ['account_id', 'group_name', 'user_name'])
        .execute();
      await db.schema.createTable('ram_policies')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('default_version', 'text', (c) => c.notNull())
        .addColumn('next_version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ram_policies_pk', ['account_id', 'name'])
        .execute();
      await db.schema.createTable('ram_policy_versions')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('policy_name', 'text', (c) => c.notNull())
        .addColumn('version_id', 'text', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ram_policy_versions_pk', ['account_id', 'policy_name', 'version_id'])
        .execute();
      await db.schema.createTable('ram_attachments')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('policy_type', 'text', (c) => c.notNull())
        .addColumn('policy_name', 'text', (c) => c.notNull())
        .addColumn('principal_type', 'text', (c) => c.notNull())
        .addColumn('principal_name', 'text', (c) => c.notNull())
        .addColumn('attached_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ram_attachments_pk', ['account_id', 'policy_type', 'policy_name', 'principal_type', 'principal_name'])
        .execute();
    },
  },
  '0005_roles': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      await db.schema.createTable('ram_roles')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('trust_policy', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('max_session_duration', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ram_roles_pk', ['account_id', 'name'])
        .execute();
    },
  },
  '0006_instance_roles': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      await db.schema.alterTable('instances').addColumn('ram_role_name', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('instances').addColumn('http_endpoint', 'text', (c) => c.notNull().defaultTo('enabled')).execute();
      await db.schema.alterTable('instances').addColumn('http_tokens', 'text', (c) => c.notNull().defaultTo('optional')).execute();
    },
  },
  '0007_login_profiles': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      await db.schema.createTable('ram_login_profiles')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('password_reset_required', 'integer', (c) => c.notNull())
        .addColumn('mfa_bind_required', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ram_login_profiles_pk', ['account_id', 'user_name'])
        .execute();
    },
  },
  '0008_key_pairs': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      await db.schema.createTable('key_pairs')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('resource_group_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('deleted', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('key_pairs_pk', ['account_id', 'region_id', 'name'])
        .execute();
    },
  },
  '0009_effective_keys': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      await db.schema.alterTable('instances').addColumn('effective_key_name', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('instances').addColumn('effective_public_key', 'text', (c) => c.notNull().defaultTo('')).execute();
    },
  },
  '0010_instance_boot': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      await db.schema.alterTable('instances').addColumn('host_name', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('instances').addColumn('boot_seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.createIndex('enis_by_mac').on('enis').columns(['vpc_id', 'mac']).execute();
    },
  },
  '0011_scale_out': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      // PostgreSQL's nonces (SQLite keeps its own in nonces.sqlite): (expiry, digest), time-ordered
      await db.schema.createTable('nonces')
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('nonces_pk', ['expires_at', 'key'])
        .execute();
      await db.schema.createTable('revision_shards')
        .addColumn('shard', 'integer', (c) => c.primaryKey())
        .addColumn('n', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0012_ram_signin': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      // sign-in state of a login profile: when its password was set, the hashes of earlier ones
      // (a JSON array, newest first), and the wrong passwords counted towards a lock-out
      await db.schema.alterTable('ram_login_profiles').addColumn('password_changed_at', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('ram_login_profiles').addColumn('password_history', 'text', (c) => c.notNull().defaultTo('[]')).execute();
      await db.schema.alterTable('ram_login_profiles').addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('ram_login_profiles').addColumn('failed_since', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('ram_login_profiles').addColumn('locked_until', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.createTable('ram_password_policies')
        .addColumn('account_id', 'text', (c) => c.primaryKey())
        .addColumn('minimum_length', 'integer', (c) => c.notNull())
        .addColumn('require_lowercase', 'integer', (c) => c.notNull())
        .addColumn('require_uppercase', 'integer', (c) => c.notNull())
        .addColumn('require_numbers', 'integer', (c) => c.notNull())
        .addColumn('require_symbols', 'integer', (c) => c.notNull())
        .addColumn('hard_expiry', 'integer', (c) => c.notNull())
        .addColumn('max_password_age', 'integer', (c) => c.notNull())
        .addColumn('reuse_prevention', 'integer', (c) => c.notNull())
        .addColumn('max_login_attempts', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createTable('ram_account_aliases')
        .addColumn('account_id', 'text', (c) => c.primaryKey())
        .addColumn('alias', 'text', (c) => c.notNull().unique())
        .execute();
      await db.schema.createTable('ram_mfa_devices')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('seed', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('activated_at', 'text', (c) => c.notNull())
        .addColumn('last_step', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ram_mfa_devices_pk', ['account_id', 'name'])
        .execute();
      await db.schema.createIndex('ram_mfa_devices_by_user').on('ram_mfa_devices').columns(['account_id', 'user_name']).execute();
    },
  },
  '0013_instance_passwords': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      // an instance's root password as a SHA-512 crypt hash (`$6$`), '' when none: the one asked for, and the one in force since the last start or reboot
      await db.schema.alterTable('instances').addColumn('password_hash', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('instances').addColumn('effective_password_hash', 'text', (c) => c.notNull().defaultTo('')).execute();
    },
  },
  '0014_account_settings': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      // per-account overrides of the configured quotas and the account's settings (src/domain/account-settings.ts)
      await db.schema.createTable('account_settings')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('account_settings_pk', ['account_id', 'name'])
        .execute();
    },
  },
  '0015_console_sessions': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      // the web console's sessions (src/domain/console-sessions.ts): the SHA-256 of the cookie's id,
      // never the id itself; times are ISO
      await db.schema.createTable('console_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('access_key_id', 'text', (c) => c.notNull())
        .addColumn('mfa_present', 'integer', (c) => c.notNull())
        .addColumn('password_change_required', 'integer', (c) => c.notNull())
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('console_sessions_by_expiry').on('console_sessions').column('expires_at').execute();
    },
  },
  '0016_antiddos': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      // Anti-DDoS Basic (src/domain/antiddos): times are milliseconds since the epoch and rates bits
      // or packets per second, as `double precision` (exact up to 2^53 on both engines, and read
      // back as numbers: PostgreSQL's bigint comes back as a string)
      // an instance's scrubbing thresholds (Mbps and pps, 0: the instance type's, `IsAuto`) and whether scrubbing is on
      await db.schema.createTable('antiddos_settings')
        .addColumn('instance_id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('bps_mbps', 'double precision', (c) => c.notNull())
        .addColumn('pps', 'double precision', (c) => c.notNull())
        .addColumn('scrubbing', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // each public address's state as the monitor last reported it
      await db.schema.createTable('antiddos_ip_status')
        .addColumn('ip', 'text', (c) => c.primaryKey())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('since', 'double precision', (c) => c.notNull())
        .addColumn('blackhole_until', 'double precision', (c) => c.notNull())
        .execute();
      // scrubbing and black-hole events; `end_at` 0 while open
      await db.schema.createTable('antiddos_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region_id', 'text', (c) => c.notNull())
        .addColumn('instance_id', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('start_at', 'double precision', (c) => c.notNull())
        .addColumn('last_at', 'double precision', (c) => c.notNull())
        .addColumn('end_at', 'double precision', (c) => c.notNull())
        .addColumn('until', 'double precision', (c) => c.notNull())
        .addColumn('peak_bps', 'double precision', (c) => c.notNull())
        .addColumn('peak_pps', 'double precision', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('antiddos_events_by_owner').on('antiddos_events').columns(['account_id', 'region_id', 'start_at']).execute();
      await db.schema.createIndex('antiddos_events_by_ip').on('antiddos_events').columns(['ip', 'type', 'end_at']).execute();
      // per-second traffic of each address (the last hour is kept)
      await db.schema.createTable('antiddos_samples')
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('second', 'double precision', (c) => c.notNull())
        .addColumn('bps_in', 'double precision', (c) => c.notNull())
        .addColumn('pps_in', 'double precision', (c) => c.notNull())
        .addColumn('bps_out', 'double precision', (c) => c.notNull())
        .addColumn('pps_out', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('antiddos_samples_pk', ['ip', 'second'])
        .execute();
      await db.schema.createIndex('antiddos_samples_by_second').on('antiddos_samples').column('second').execute();
      // penalties for outbound floods; `end_at` 0 while open
      await db.schema.createTable('antiddos_penalties')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region_id', 'text', (c) => c.notNull())
        .addColumn('instance_id', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('start_at', 'double precision', (c) => c.notNull())
        .addColumn('until', 'double precision', (c) => c.notNull())
        .addColumn('end_at', 'double precision', (c) => c.notNull())
        .addColumn('ended_by', 'text', (c) => c.notNull())
        .addColumn('peak_bps', 'double precision', (c) => c.notNull())
        .addColumn('peak_pps', 'double precision', (c) => c.notNull())
        .addColumn('appeal_text', 'text', (c) => c.notNull())
        .addColumn('appeal_status', 'text', (c) => c.notNull())
        .addColumn('appealed_at', 'double precision', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('antiddos_penalties_by_owner').on('antiddos_penalties').columns(['account_id', 'region_id', 'start_at']).execute();
      await db.schema.createIndex('antiddos_penalties_by_ip').on('antiddos_penalties').columns(['ip', 'end_at']).execute();
    },
  },
  '0017_security_center': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      // Security Center basic (src/domain/security-center): whether an instance has the agent
      // (SecurityEnhancementStrategy=Active, InstallSecurityAgent), the last baseline scan of each
      // account and its findings. Times are milliseconds since the epoch as `double precision`.
      await db.schema.alterTable('instances').addColumn('security_agent', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      // an account's last scan: when, its number (the TaskId), and the one before it (PreviousTime, PreviousCount)
      await db.schema.createTable('sas_scans')
        .addColumn('account_id', 'text', (c) => c.primaryKey())
        .addColumn('seq', 'double precision', (c) => c.notNull())
        .addColumn('scanned_at', 'double precision', (c) => c.notNull())
        .addColumn('risk_count', 'double precision', (c) => c.notNull())
        .addColumn('previous_at', 'double precision', (c) => c.notNull())
        .addColumn('previous_count', 'double precision', (c) => c.notNull())
        .execute();
      // one finding of a check on one resource; kept while it fails, and while it is ignored
      // (an ignore outlives the scans); `id` is the CheckWarningId, unique in the account
      await db.schema.createTable('sas_warnings')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('check_id', 'integer', (c) => c.notNull())
        .addColumn('resource', 'text', (c) => c.notNull())
        .addColumn('id', 'double precision', (c) => c.notNull())
        .addColumn('region_id', 'text', (c) => c.notNull())
        .addColumn('failing', 'integer', (c) => c.notNull())
        .addColumn('ignored', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('handled_at', 'double precision', (c) => c.notNull())
        .addColumn('first_found', 'double precision', (c) => c.notNull())
        .addColumn('evidence', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('sas_warnings_pk', ['account_id', 'check_id', 'resource'])
        .execute();
      await db.schema.createIndex('sas_warnings_by_id').on('sas_warnings').columns(['account_id', 'id']).unique().execute();
    },
  },
  '0018_security_center_alerts': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      // Security Center alerts (src/domain/security-center/evidence.ts, alerts.ts, brute-force.ts,
      // login-base.ts): anti-brute-force rules, logon baselines, the failed logons of the current
      // windows, the sources blocked at an instance, and the alerts. Times in ms since the epoch.
      // a rule: FailCount failures within Span minutes blocks the source for ForbiddenTime minutes;
      // `uuids` a JSON array of instance ids; at most one `default_rule` per account
      await db.schema.createTable('sas_abf_rules')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('id', 'double precision', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('fail_count', 'integer', (c) => c.notNull())
        .addColumn('span', 'integer', (c) => c.notNull())
        .addColumn('forbidden_time', 'integer', (c) => c.notNull())
        .addColumn('default_rule', 'integer', (c) => c.notNull())
        .addColumn('uuids', 'text', (c) => c.notNull())
        .addColumn('created_at', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('sas_abf_rules_pk', ['account_id', 'id'])
        .execute();
      // a logon baseline item: `type` login_common_ip | _time | _account | _location, `value` its
      // canonical text, `uuids` a JSON array of the instances it applies to
      await db.schema.createTable('sas_login_base')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('uuids', 'text', (c) => c.notNull())
        .addColumn('created_at', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('sas_login_base_pk', ['account_id', 'type', 'value'])
        .execute();
      // failed logons still inside a window (the longest Span); older ones are deleted as evidence arrives
      await db.schema.createTable('sas_logon_failures')
        .addColumn('instance_id', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('at', 'double precision', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sas_logon_failures_by_source').on('sas_logon_failures').columns(['instance_id', 'ip', 'at']).execute();
      // a source an anti-brute-force rule (or OperationSuspEvents block_ip) blocks at an instance until `until`
      await db.schema.createTable('sas_blocks')
        .addColumn('instance_id', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('until', 'double precision', (c) => c.notNull())
        .addColumn('rule_id', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('sas_blocks_pk', ['instance_id', 'ip'])
        .execute();
      // an alert; `key` identifies what it is about (one open alert per key), `status` pending |
      // handled | ignored, `resolved_at` when the evidence went away (0 while it holds)
      await db.schema.createTable('sas_alerts')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('id', 'double precision', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('instance_id', 'text', (c) => c.notNull())
        .addColumn('region_id', 'text', (c) => c.notNull())
        .addColumn('source_ip', 'text', (c) => c.notNull())
        .addColumn('first_at', 'double precision', (c) => c.notNull())
        .addColumn('last_at', 'double precision', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('resolved_at', 'double precision', (c) => c.notNull())
        .addColumn('handled_at', 'double precision', (c) => c.notNull())
        .addColumn('evidence', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('sas_alerts_pk', ['account_id', 'id'])
        .execute();
      await db.schema.createIndex('sas_alerts_by_key').on('sas_alerts').columns(['account_id', 'key', 'last_at']).execute();
      // notifications: per account and method (email | webhook | inbox) the levels it carries, where
      // to (an address or URL; '' for the inbox), the webhook's HMAC secret, and the sending window
      // (`window` 'HH:MM-HH:MM' UTC, '' always)
      await db.schema.createTable('sas_notify_configs')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('levels', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('window', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('sas_notify_configs_pk', ['account_id', 'method'])
        .execute();
      // the outbox: one delivery of one alert by e-mail or webhook, written in the transaction that
      // raises the alert; `sent_at` 0 until delivered, `next_at` when to try (again)
      await db.schema.createTable('sas_outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('alert_id', 'double precision', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_at', 'double precision', (c) => c.notNull())
        .addColumn('sent_at', 'double precision', (c) => c.notNull())
        .addColumn('last_error', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sas_outbox_due').on('sas_outbox').columns(['sent_at', 'next_at']).execute();
      // internal messages (the inbox)
      await db.schema.createTable('sas_inbox')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('id', 'double precision', (c) => c.notNull())
        .addColumn('alert_id', 'double precision', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('sas_inbox_pk', ['account_id', 'id'])
        .execute();
    },
  },
  '0019_prefix_lists': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      // Prefix lists (src/domain/prefix-lists.ts): named sets of CIDR blocks of one address family
      // that security-group rules authorize. `max_entries` is fixed at creation; entries keep the
      // order they were added in (`seq`).
      await db.schema.createTable('prefix_lists')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('address_family', 'text', (c) => c.notNull())
        .addColumn('max_entries', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('prefix_lists_by_owner').on('prefix_lists').columns(['account_id', 'region_id', 'created_at']).execute();
      await db.schema.createTable('prefix_list_entries')
        .addColumn('prefix_list_id', 'text', (c) => c.notNull().references('prefix_lists.id'))
        .addColumn('cidr', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('prefix_list_entries_pk', ['prefix_list_id', 'cidr'])
        .execute();
      // the prefix list a rule authorizes, '' for the others (no rule could name one before this step)
      await db.schema.alterTable('sg_rules').addColumn('peer_prefix_list_id', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.createIndex('sg_rules_by_prefix_list').on('sg_rules').columns(['peer_prefix_list_id']).execute();
    },
  },
  '0020_cen': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- migrations run before the typed schema exists
      // a Cloud Enterprise Network instance (Cbn 2017-09-12); `status` Active
      await db.schema.createTable('cens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('protection_level', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      // a VPC attached to a CEN (one CEN per VPC: the primary key is the VPC)
      await db.schema.createTable('cen_children')
        .addColumn('vpc_id', 'text', (c) => c.primaryKey())
        .addColumn('cen_id', 'text', (c) => c.notNull())
        .addColumn('vpc_account_id', 'text', (c) => c.notNull())
        .addColumn('region_id', 'text', (c) => c.notNull())
        .addColumn('cidr_block', 'text', (c) => c.notNull())
        .addColumn('attached_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cen_children_by_cen').on('cen_children').column('cen_id').execute();
      // a VPC owner's grant of its VPC to another account's CEN (VPC GrantInstanceToCen)
      await db.schema.createTable('cen_grants')
        .addColumn('vpc_id', 'text', (c) => c.notNull())
        .addColumn('cen_id', 'text', (c) => c.notNull())
        .addColumn('cen_owner_id', 'text', (c) => c.notNull())
        .addColumn('vpc_account_id', 'text', (c) => c.notNull())
        .addColumn('region_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('cen_grants_pk', ['vpc_id', 'cen_id'])
        .execute();
    },
  },
  '0021_ipv6': {
    async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any -- see 0001
      // Dual stack (src/domain/ipv6.ts): a VPC's IPv6 block, a /56 of Parapet's pool ('' when IPv6 is
      // off); a vSwitch's /64 of its VPC's /56 (''); an ENI's IPv6 addresses, a JSON array of
      // compressed lower-case addresses ('[]')
      await db.schema.alterTable('vpcs').addColumn('ipv6_cidr', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('vswitches').addColumn('ipv6_cidr', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('enis').addColumn('ipv6_addresses', 'text', (c) => c.notNull().defaultTo('[]')).execute();
      // an IPv6 gateway (VPC CreateIpv6Gateway): one per VPC
      await db.schema.createTable('ipv6_gateways')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('vpc_id', 'text', (c) => c.notNull().unique())
        .addColumn('region_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ipv6_gateways_by_owner').on('ipv6_gateways').columns(['account_id', 'region_id']).execute();
      // an IPv6 address's internet bandwidth (AllocateIpv6InternetBandwidth): what lets it reach the
      // IPv6 internet; one per address
      await db.schema.createTable('ipv6_internet')
        .addColumn('address', 'text', (c) => c.primaryKey())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('ipv6_gateway_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('bandwidth', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ipv6_internet_by_gateway').on('ipv6_internet').column('ipv6_gateway_id').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
