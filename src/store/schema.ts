// The tables, as Kysely sees them. Times are ISO-8601 UTC strings; booleans are 0/1 integers so
// both engines store them alike.

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

export interface Schema {
  meta: MetaTable;
  accounts: AccountTable;
  access_keys: AccessKeyTable;
  vpcs: VpcTable;
  vswitches: VSwitchTable;
  tags: TagTable;
  client_tokens: ClientTokenTable;
}
