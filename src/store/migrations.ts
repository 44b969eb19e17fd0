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
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
