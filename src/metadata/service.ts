// The instance metadata service (ALIBABA-FACTS §4.4): the tree of one instance, its RAM role's
// credentials (6 h each; a fresh set appears 30 min before the old one expires, both valid), and
// hardened mode (PUT /latest/api/token, reads with X-aliyun-ecs-metadata-token; HttpTokens=required
// refuses plain reads; a token request through a proxy, with X-Forwarded-For, is refused).
// Without the data plane each instance's tree is reached under a capability URL on the API
// server, `/metadata/{grant}.{tag}` (IssueInstanceMetadataEndpoint; see
// src/domain/metadata-endpoint.ts for when it works).
import { LRUCache } from 'lru-cache';
import type { Services } from '../domain/context.ts';
import { issue } from '../domain/sts.ts';
import { sign, verifyTag } from '../domain/server-key.ts';
import { resolveEndpoint } from '../domain/metadata-endpoint.ts';
import { defaultHostName } from '../domain/instances.ts';
import type { RequestContext } from '../domain/context.ts';
import type { InstanceTable } from '../store/schema.ts';
import { isoSeconds } from '../clock.ts';

export interface MetadataResponse { status: number; body: string; contentType: string }

const WINDOW_MS = 5.5 * 3600 * 1000;
const LIFETIME_MS = 6 * 3600 * 1000;
const text = (status: number, body: string): MetadataResponse => ({ status, body, contentType: 'text/plain' });

// an instance's role credentials of the current window (keyed by instance, role id and window, so an
// entry is never served outside its window); the 10,000 used last
const credentialCache = new LRUCache<string, { body: string; until: number }>({ max: 10_000 });

/** The API server's entry: the instance is the one the capability URL opens, while it may. */
export async function handleMetadata(svc: Services, endpoint: string, method: string, path: string, headers: Record<string, string | string[] | undefined>, rc: RequestContext): Promise<MetadataResponse> {
  const inst = await resolveEndpoint(svc, endpoint, rc);
  if (inst === undefined) return text(404, 'Not Found');
  return treeOf(svc, inst, method, path, headers);
}

/**
 * The data plane's entry: the caller is known by where the request came from (the instance that
 * owns the source address in the listener's network), not by an endpoint tag.
 */
export async function handleInstanceMetadata(svc: Services, instanceId: string, method: string, path: string, headers: Record<string, string | string[] | undefined>): Promise<MetadataResponse> {
  const inst = await svc.store.db.selectFrom('instances').selectAll().where('id', '=', instanceId).executeTakeFirst();
  if (inst === undefined) return text(404, 'Not Found');
  return treeOf(svc, inst, method, path, headers);
}

async function treeOf(svc: Services, inst: InstanceTable, method: string, path: string, headers: Record<string, string | string[] | undefined>): Promise<MetadataResponse> {
  if (inst.http_endpoint !== 'enabled' || inst.status !== 'Running') return text(404, 'Not Found');
  const now = svc.clock.now();
  if (path === '/latest/api/token') {
    if (method !== 'PUT') return text(405, 'Method Not Allowed');
    if (headers['x-forwarded-for'] !== undefined) return text(403, 'Forbidden');
    const ttl = Number(headers['x-aliyun-ecs-metadata-token-ttl-seconds']);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return text(400, 'Bad Request');
    const expires = now + ttl * 1000;
    return text(200, `${expires}.${await sign(svc, `metadata-token:${inst.id}:${expires}`)}`);
  }
  if (method !== 'GET') return text(405, 'Method Not Allowed');
  const token = headers['x-aliyun-ecs-metadata-token'];
  if (typeof token === 'string') {
    const [expires, tag] = token.split('.');
    if (tag === undefined || !(Number(expires) >= now) || !await verifyTag(svc, `metadata-token:${inst.id}:${expires}`, tag)) return text(401, 'Unauthorized');
  } else if (inst.http_tokens === 'required') {
    return text(401, 'Unauthorized');
  }
  const eni = await svc.store.db.selectFrom('enis').selectAll().where('instance_id', '=', inst.id).where('type', '=', 'Primary').executeTakeFirst();
  // looked up by a path anyone sends: a table without a prototype, read by own key
  const tree: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, {
    'instance-id': inst.id, 'region-id': inst.region_id, 'zone-id': inst.zone_id, hostname: inst.host_name || defaultHostName(inst.id), 'private-ipv4': eni?.private_ip ?? '',
    'vpc-id': inst.vpc_id, 'vswitch-id': inst.vswitch_id, mac: eni?.mac ?? '', 'owner-account-id': inst.account_id, 'image-id': inst.image_id,
    'instance/instance-type': inst.instance_type, eipv4: inst.public_ip, 'public-keys/': '0/', 'public-keys/0/openssh-key': inst.effective_public_key,
  });
  const prefix = '/latest/meta-data/';
  if (path === prefix) return text(200, [...Object.keys(tree).filter((k) => !k.includes('/')), 'instance/', 'public-keys/', 'ram/'].sort().join('\n'));
  if (!path.startsWith(prefix)) return text(404, 'Not Found');
  // `Ram/…` (capital R) answers as `ram/…`: Alibaba's own documentation and images use both
  const rawKey = path.slice(prefix.length);
  const key = rawKey.startsWith('Ram/') ? 'ram/' + rawKey.slice('Ram/'.length) : rawKey;
  if (key === 'ram/security-credentials/' || key === 'ram/security-credentials') {
    return inst.ram_role_name === '' ? text(404, 'Not Found') : text(200, inst.ram_role_name);
  }
  if (key.startsWith('ram/security-credentials/')) {
    const roleName = key.slice('ram/security-credentials/'.length);
    if (roleName !== inst.ram_role_name || roleName === '') return text(404, 'Not Found');
    const role = await svc.store.db.selectFrom('ram_roles').select(['id', 'name']).where('account_id', '=', inst.account_id).where('name', '=', roleName).executeTakeFirst();
    if (role === undefined) return text(404, 'Not Found');
    const window = Math.floor(now / WINDOW_MS);
    // keyed by the role's id: a new role of the same name never gets the old role's session
    const cacheKey = `${inst.id}:${role.id}:${window}`;
    let hit = credentialCache.get(cacheKey);
    if (hit === undefined) {
      const start = window * WINDOW_MS;
      const c = await issue(svc, { accountId: inst.account_id, roleName, roleId: role.id, sessionName: inst.id, durationSeconds: 0, expiresAt: start + LIFETIME_MS });
      const body = JSON.stringify({ AccessKeyId: c.credentials.accessKeyId, AccessKeySecret: c.credentials.accessKeySecret, Expiration: c.credentials.expiration, SecurityToken: c.credentials.securityToken, LastUpdated: isoSeconds(start), Code: 'Success' });
      hit = { body, until: start + LIFETIME_MS };
      credentialCache.set(cacheKey, hit);
    }
    return { status: 200, body: hit.body, contentType: 'application/json' };
  }
  return Object.hasOwn(tree, key) ? text(200, tree[key]!) : text(404, 'Not Found');
}
