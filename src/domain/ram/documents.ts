// The policy documents that apply to a principal, for the authorizer (../authorization.ts): a RAM
// user's own and its groups', a role's. A system policy's document is its fixed text, a custom
// policy's its default version's.
import { findSystemPolicy } from './system-policies.ts';
import type { Db, Tx } from '../../store/store.ts';

/** The documents of the policies attached to a role. */
export async function documentsForRole(db: Db | Tx, accountId: string, roleName: string): Promise<Array<{ name: string; type: string; document: string }>> {
  const rows = await db.selectFrom('ram_attachments').select(['policy_type', 'policy_name']).where('account_id', '=', accountId).where('principal_type', '=', 'Role').where('principal_name', '=', roleName).execute();
  return resolveDocuments(db, accountId, rows);
}

async function resolveDocuments(db: Db | Tx, accountId: string, rows: Array<{ policy_type: string; policy_name: string }>): Promise<Array<{ name: string; type: string; document: string }>> {
  const out: Array<{ name: string; type: string; document: string }> = [];
  for (const r of rows) {
    if (r.policy_type === 'System') {
      const s = findSystemPolicy(r.policy_name);
      if (s !== undefined) out.push({ name: s.name, type: 'System', document: s.document });
      continue;
    }
    const p = await db.selectFrom('ram_policies').innerJoin('ram_policy_versions', (j) => j.onRef('ram_policy_versions.policy_name', '=', 'ram_policies.name').onRef('ram_policy_versions.account_id', '=', 'ram_policies.account_id').onRef('ram_policy_versions.version_id', '=', 'ram_policies.default_version'))
      .select('ram_policy_versions.document').where('ram_policies.account_id', '=', accountId).where('ram_policies.name', '=', r.policy_name).executeTakeFirst();
    if (p !== undefined) out.push({ name: r.policy_name, type: 'Custom', document: p.document });
  }
  return out;
}

/** The documents of every policy that applies to a RAM user: its own and its groups'. */
export async function documentsForUser(db: Db | Tx, accountId: string, userName: string): Promise<Array<{ name: string; type: string; document: string }>> {
  const groups = (await db.selectFrom('ram_group_members').select('group_name').where('account_id', '=', accountId).where('user_name', '=', userName).execute()).map((g) => g.group_name);
  let q = db.selectFrom('ram_attachments').select(['policy_type', 'policy_name']).where('account_id', '=', accountId);
  q = q.where((eb) => eb.or([
    eb.and([eb('principal_type', '=', 'User'), eb('principal_name', '=', userName)]),
    ...(groups.length > 0 ? [eb.and([eb('principal_type', '=', 'Group'), eb('principal_name', 'in', groups)])] : []),
  ]));
  return resolveDocuments(db, accountId, await q.execute());
}
