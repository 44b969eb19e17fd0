// SSH key pairs (SPEC §2): created (RSA-2048, private key returned once as PKCS#8 PEM, never
// stored) or imported (OpenSSH public keys and certificates, parsed by sshpk); fingerprint = MD5
// of the public key blob as `ssh-keygen -l -E md5` prints it; names unique per account and region
// and reserved after a delete while bound; 500 per account and region.
import { createHash, createPublicKey } from 'node:crypto';
import sshpk from 'sshpk';
import type { CallContext } from './context.ts';
import { type DomainError, apiError, itemError } from './errors.ts';
import { requireRegion } from './regions.ts';
import { keyPool } from './keypair-pool.ts';
import { isoSeconds } from '../clock.ts';
import { pageOf, type Page } from './paging.ts';
import { type Tag, validateTags, writeTags, readTags, deleteTags, matchesTags } from './tags.ts';
import type { KeyPairTable } from '../store/schema.ts';
import type { Db, Tx } from '../store/store.ts';
import { findImage, findInstanceType } from './catalogs.ts';
import { accountLimits } from './account-settings.ts';

const NAME = /^[\p{L}][\p{L}0-9._:-]{1,127}$/u;
const ACCEPTED = new Set(['ssh-rsa', 'ssh-dss', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
  'ssh-rsa-cert-v00@openssh.com', 'ssh-dss-cert-v00@openssh.com', 'ssh-rsa-cert-v01@openssh.com', 'ssh-dss-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com', 'ecdsa-sha2-nistp384-cert-v01@openssh.com', 'ecdsa-sha2-nistp521-cert-v01@openssh.com']);

export interface KeyPair { name: string; id: string; fingerprint: string; publicKey: string; resourceGroupId: string; creationTime: string; tags: Tag[] }

function checkName(name: string): void {
  if (!NAME.test(name) || /^https?:\/\//.test(name)) {
    throw apiError('InvalidKeyPairName.Malformed', { name });
  }
}

/** MD5 of the base64-decoded key blob, lower-case colon-separated hex (RFC 4716). */
export function fingerprintOf(openssh: string): string {
  const blob = Buffer.from(openssh.trim().split(/\s+/)[1] ?? '', 'base64');
  return createHash('md5').update(blob).digest('hex').match(/../g)!.join(':');
}

/** The OpenSSH `type base64` form of an imported key, or `InvalidPublicKeyBody.Malformed`. */
function parseImported(body: string): string {
  const bad = () => apiError('InvalidPublicKeyBody.Malformed');
  const text = body.trim();
  if (text.includes('PRIVATE KEY')) throw bad();
  const [type, b64] = text.split(/\s+/);
  if (type === undefined || b64 === undefined || !ACCEPTED.has(type)) throw bad();
  try {
    if (type.includes('-cert-')) sshpk.parseCertificate(Buffer.from(text), 'openssh');
    else sshpk.parseKey(text, 'ssh');
  } catch {
    throw bad();
  }
  return `${type} ${b64}`;
}

async function insert(ctx: CallContext, regionId: string, name: string, publicKey: string, resourceGroupId: string | undefined, tags: Tag[]): Promise<KeyPairTable> {
  const account = ctx.principal.accountId;
  return ctx.write(async (tx) => {
    await lockKeyPairs(ctx, tx, regionId);
    const exists = await tx.selectFrom('key_pairs').select('name').where('account_id', '=', account).where('region_id', '=', regionId).where('name', '=', name).executeTakeFirst();
    if (exists !== undefined) throw apiError('KeyPair.AlreadyExist', { name });
    const n = await tx.selectFrom('key_pairs').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account).where('region_id', '=', regionId).where('deleted', '=', 0).executeTakeFirstOrThrow();
    const quota = (await accountLimits(ctx, tx)).keyPairsPerRegion;
    if (Number(n.n) >= quota) throw apiError('QuotaExceed.KeyPair', { quota });
    const row: KeyPairTable = {
      account_id: account, region_id: regionId, name, id: ctx.ids.resource('kp'), fingerprint: fingerprintOf(publicKey), public_key: publicKey,
      resource_group_id: resourceGroupId ?? '', created_at: isoSeconds(ctx.clock.now()), deleted: 0,
    };
    await tx.insertInto('key_pairs').values(row).execute();
    await writeTags(tx, account, 'keypair', `${regionId}/${name}`, tags);
    return row;
  });
}

export async function createKeyPair(ctx: CallContext, p: { regionId: string; keyPairName: string; resourceGroupId?: string | undefined; tags?: Tag[] | undefined }): Promise<{ keyPair: KeyPairTable; privateKeyBody: string }> {
  requireRegion(p.regionId);
  checkName(p.keyPairName);
  const tags = validateTags(p.tags);
  const generated = await keyPool.take();
  const jwk = createPublicKey({ key: generated.publicDer, format: 'der', type: 'spki' });
  const openssh = sshpk.parseKey(jwk.export({ type: 'spki', format: 'pem' }).toString(), 'pem').toString('ssh').split(' ').slice(0, 2).join(' ');
  const keyPair = await insert(ctx, p.regionId, p.keyPairName, openssh, p.resourceGroupId, tags);
  return { keyPair, privateKeyBody: generated.privatePem };
}

export async function importKeyPair(ctx: CallContext, p: { regionId: string; keyPairName: string; publicKeyBody: string; resourceGroupId?: string | undefined; tags?: Tag[] | undefined }): Promise<KeyPairTable> {
  requireRegion(p.regionId);
  checkName(p.keyPairName);
  const tags = validateTags(p.tags);
  return insert(ctx, p.regionId, p.keyPairName, parseImported(p.publicKeyBody), p.resourceGroupId, tags);
}

export async function describeKeyPairs(ctx: CallContext, p: { regionId: string; keyPairName?: string | undefined; fingerprint?: string | undefined; pageNumber?: number | undefined; pageSize?: number | undefined; resourceGroupId?: string | undefined; tags?: Tag[] | undefined }): Promise<Page<KeyPair>> {
  requireRegion(p.regionId);
  let rows = await ctx.store.db.selectFrom('key_pairs').selectAll().where('account_id', '=', ctx.principal.accountId).where('region_id', '=', p.regionId).where('deleted', '=', 0).orderBy('created_at', 'desc').orderBy('name').execute();
  if (p.keyPairName !== undefined && p.keyPairName !== '') {
    const re = new RegExp('^' + p.keyPairName.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
    rows = rows.filter((r) => re.test(r.name));
  }
  if (p.fingerprint !== undefined && p.fingerprint !== '') rows = rows.filter((r) => r.fingerprint === p.fingerprint);
  if (p.resourceGroupId !== undefined && p.resourceGroupId !== '') rows = rows.filter((r) => r.resource_group_id === p.resourceGroupId);
  const tags = await readTags(ctx.store.db, 'keypair', rows.map((r) => `${p.regionId}/${r.name}`));
  const filter = validateTags(p.tags);
  const items = rows.map((r) => ({ name: r.name, id: r.id, fingerprint: r.fingerprint, publicKey: r.public_key, resourceGroupId: r.resource_group_id, creationTime: r.created_at, tags: tags.get(`${p.regionId}/${r.name}`) ?? [] }))
    .filter((k) => filter.length === 0 || matchesTags(k.tags, filter));
  return pageOf(items, p.pageNumber, p.pageSize, 50);
}

/** Deletes key pairs; a key bound to an instance keeps its name taken (the instance keeps showing it). */
export async function deleteKeyPairs(ctx: CallContext, p: { regionId: string; keyPairNames: string[] }): Promise<void> {
  requireRegion(p.regionId);
  if (p.keyPairNames.length === 0 || p.keyPairNames.length > 100) throw apiError('InvalidParameter', { name: 'KeyPairNames', value: `(${p.keyPairNames.length} names)`, why: 'Give 1 to 100 names.' });
  const account = ctx.principal.accountId;
  await ctx.write(async (tx) => {
    await lockKeyPairs(ctx, tx, p.regionId);
    for (const name of p.keyPairNames) {
      const row = await tx.selectFrom('key_pairs').select(['name', 'deleted']).where('account_id', '=', account).where('region_id', '=', p.regionId).where('name', '=', name).executeTakeFirst();
      if (row === undefined || row.deleted === 1) continue; // the real service ignores names it doesn't have
      const bound = await tx.selectFrom('instances').select('id').where('account_id', '=', account).where('region_id', '=', p.regionId).where('key_pair_name', '=', name).executeTakeFirst();
      if (bound !== undefined) await tx.updateTable('key_pairs').set({ deleted: 1 }).where('account_id', '=', account).where('region_id', '=', p.regionId).where('name', '=', name).execute();
      else {
        await tx.deleteFrom('key_pairs').where('account_id', '=', account).where('region_id', '=', p.regionId).where('name', '=', name).execute();
        await deleteTags(tx, 'keypair', `${p.regionId}/${name}`);
      }
    }
  });
}

export interface KeyResult { instanceId: string; success: boolean; code: string; message: string }

/** The public key a name stands for, deleted-while-bound keys included. */
/** Key pairs of an account and region change one writer at a time: names, the quota and bindings hold until commit. */
async function lockKeyPairs(ctx: CallContext, tx: Tx, regionId: string): Promise<void> {
  await ctx.store.lock(tx, `kp:${ctx.principal.accountId}:${regionId}`);
}

export async function publicKeyOf(db: Db | Tx, accountId: string, regionId: string, name: string): Promise<string> {
  if (name === '') return '';
  const row = await db.selectFrom('key_pairs').select('public_key').where('account_id', '=', accountId).where('region_id', '=', regionId).where('name', '=', name).executeTakeFirst();
  return row?.public_key ?? '';
}

/** Whether a key may be bound to an instance (Linux, a current instance type): the error that refuses it, if any. */
export function refusal(inst: { image_id: string; instance_type: string }): DomainError | undefined {
  if (findImage(inst.image_id)?.osType === 'windows') return apiError('DependencyViolation.WindowsInstance');
  if (findInstanceType(inst.instance_type)?.phasedOut === true) return apiError('DependencyViolation.IoOptimize', { instanceType: inst.instance_type });
  return undefined;
}

/** AttachKeyPair / DetachKeyPair: per-instance results; the key in force changes at the next start or reboot. */
export async function bindKeyPair(ctx: CallContext, p: { regionId: string; keyPairName: string; instanceIds: string[]; attach: boolean }): Promise<KeyResult[]> {
  requireRegion(p.regionId);
  if (p.instanceIds.length === 0 || p.instanceIds.length > 50) throw apiError('InvalidParameter', { name: 'InstanceIds', value: `(${p.instanceIds.length} ids)`, why: 'Give 1 to 50 instance ids.' });
  const account = ctx.principal.accountId;
  return ctx.write(async (tx) => {
    await lockKeyPairs(ctx, tx, p.regionId);
    const key = await tx.selectFrom('key_pairs').select(['name', 'deleted']).where('account_id', '=', account).where('region_id', '=', p.regionId).where('name', '=', p.keyPairName).executeTakeFirst();
    if (key === undefined || (p.attach && key.deleted === 1)) throw apiError('InvalidKeyPairName.NotFound', { name: p.keyPairName });
    const out: KeyResult[] = [];
    for (const id of p.instanceIds) {
      const inst = await tx.selectFrom('instances').selectAll().where('id', '=', id).where('account_id', '=', account).executeTakeFirst();
      if (inst === undefined || inst.region_id !== p.regionId) { out.push({ instanceId: id, success: false, ...itemError('InvalidInstanceId.NotFound', 'item', { id }) }); continue; }
      if (p.attach) {
        const no = refusal(inst);
        if (no !== undefined) { out.push({ instanceId: id, success: false, code: no.code, message: no.message }); continue; }
        // binding turns password logon off (SPEC §2) from the next start or reboot, until the password is reset
        await tx.updateTable('instances').set({ key_pair_name: p.keyPairName, password_hash: '' }).where('id', '=', id).execute();
      } else {
        if (inst.key_pair_name !== p.keyPairName) { out.push({ instanceId: id, success: false, ...itemError('InvalidKeyPairName.NotFound', 'notBound', { name: p.keyPairName }) }); continue; }
        await tx.updateTable('instances').set({ key_pair_name: '' }).where('id', '=', id).execute();
      }
      out.push({ instanceId: id, success: true, code: '200', message: 'successful' });
    }
    return out;
  });
}
