// Instance RAM roles (SPEC §4): one role per VPC instance; the role must trust the ECS service;
// the caller also needs `ram:PassRole` on it. The metadata service serves the role's credentials.
import type { CallContext } from './context.ts';
import { apiError, itemError } from './errors.ts';
import { evaluateTrust } from './policy-check.ts';
import { requireRegion } from './regions.ts';
import type { Tx } from '../store/store.ts';

/**
 * Checks that `roleName` can be given to an instance: it exists and trusts the ECS service. The
 * caller's `ram:PassRole` on it is authorized with the rest of the call (api/authorize.ts), with
 * the request's context like every other permission.
 */
export async function checkInstanceRole(ctx: CallContext, tx: Tx, roleName: string): Promise<void> {
  const role = await tx.selectFrom('ram_roles').selectAll().where('account_id', '=', ctx.principal.accountId).where('name', '=', roleName).executeTakeFirst();
  if (role === undefined) throw apiError('InvalidRamRole.NotFound', { roleName });
  if (evaluateTrust(role.trust_policy, { type: 'Service', id: 'ecs.aliyuncs.com' }) !== 'Allow') {
    throw apiError('InvalidRamRole.NotEcsRole', { roleName });
  }
}

export interface InstanceResult { instanceId: string; success: boolean; code: string; message: string }

export async function attachInstanceRamRole(ctx: CallContext, p: { regionId: string; instanceIds: string[]; roleName: string }): Promise<InstanceResult[]> {
  requireRegion(p.regionId);
  if (p.instanceIds.length === 0 || p.instanceIds.length > 100) throw apiError('InvalidParameter', 'instanceIds');
  return ctx.write(async (tx) => {
    await checkInstanceRole(ctx, tx, p.roleName);
    const out: InstanceResult[] = [];
    for (const id of p.instanceIds) {
      const row = await tx.selectFrom('instances').select(['id', 'vpc_id', 'region_id', 'ram_role_name']).where('id', '=', id).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
      if (row === undefined || row.region_id !== p.regionId) { out.push({ instanceId: id, success: false, ...itemError('InvalidInstanceId.NotFound', 'item', { id }) }); continue; }
      if (row.vpc_id === '') { out.push({ instanceId: id, success: false, ...itemError('InvalidNetworkType.MismatchRamRole') }); continue; }
      if (row.ram_role_name !== '' && row.ram_role_name !== p.roleName) { out.push({ instanceId: id, success: false, ...itemError('InvalidRamRole.AlreadyAttached', { roleName: row.ram_role_name }) }); continue; }
      await tx.updateTable('instances').set({ ram_role_name: p.roleName }).where('id', '=', id).execute();
      out.push({ instanceId: id, success: true, code: '200', message: 'success' });
    }
    return out;
  });
}

export async function detachInstanceRamRole(ctx: CallContext, p: { regionId: string; instanceIds: string[]; roleName?: string | undefined }): Promise<Array<InstanceResult & { roleName: string }>> {
  requireRegion(p.regionId);
  return ctx.write(async (tx) => {
    const out: Array<InstanceResult & { roleName: string }> = [];
    for (const id of p.instanceIds) {
      const row = await tx.selectFrom('instances').select(['id', 'region_id', 'ram_role_name']).where('id', '=', id).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
      if (row === undefined || row.region_id !== p.regionId) { out.push({ instanceId: id, success: false, ...itemError('InvalidInstanceId.NotFound', 'item', { id }), roleName: '' }); continue; }
      if (row.ram_role_name === '' || (p.roleName !== undefined && p.roleName !== '' && row.ram_role_name !== p.roleName)) {
        out.push({ instanceId: id, success: false, ...itemError('InvalidRamRole.NotEqual'), roleName: row.ram_role_name }); continue;
      }
      await tx.updateTable('instances').set({ ram_role_name: '' }).where('id', '=', id).execute();
      out.push({ instanceId: id, success: true, code: '200', message: 'success', roleName: row.ram_role_name });
    }
    return out;
  });
}

export async function describeInstanceRamRoles(ctx: CallContext, p: { regionId: string; instanceIds?: string[] | undefined; roleName?: string | undefined }): Promise<Array<{ instanceId: string; roleName: string }>> {
  requireRegion(p.regionId);
  let q = ctx.store.db.selectFrom('instances').select(['id', 'ram_role_name']).where('account_id', '=', ctx.principal.accountId).where('region_id', '=', p.regionId).where('ram_role_name', '!=', '');
  if (p.instanceIds !== undefined && p.instanceIds.length > 0) q = q.where('id', 'in', p.instanceIds);
  if (p.roleName !== undefined && p.roleName !== '') q = q.where('ram_role_name', '=', p.roleName);
  return (await q.orderBy('id').execute()).map((r) => ({ instanceId: r.id, roleName: r.ram_role_name }));
}


/**
 * ModifyInstanceMetadataOptions: the metadata service on or off (`HttpEndpoint`), and hardened
 * mode (`HttpTokens` `required`: reads need a token).
 */
export async function modifyMetadataOptions(ctx: CallContext, p: { instanceId: string; httpEndpoint?: string | undefined; httpTokens?: string | undefined }): Promise<void> {
  if (p.httpEndpoint !== undefined && p.httpEndpoint !== 'enabled' && p.httpEndpoint !== 'disabled') throw apiError('InvalidHttpEndpoint.NotSupported');
  if (p.httpTokens !== undefined && p.httpTokens !== 'optional' && p.httpTokens !== 'required') throw apiError('InvalidHttpTokens.NotSupported');
  await ctx.write(async (tx) => {
    const row = await tx.selectFrom('instances').select('id').where('id', '=', p.instanceId).where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
    if (row === undefined) throw apiError('InvalidInstanceId.NotFound', { id: p.instanceId });
    await tx.updateTable('instances').set({ ...(p.httpEndpoint !== undefined ? { http_endpoint: p.httpEndpoint } : {}), ...(p.httpTokens !== undefined ? { http_tokens: p.httpTokens } : {}) }).where('id', '=', row.id).execute();
  });
}
