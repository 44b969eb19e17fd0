// The hosts file of every instance: the products' endpoint names (`ecs.aliyuncs.com`,
// `ecs.cn-hangzhou.aliyuncs.com`, ...; the wiring hands them over from src/domain/endpoints.ts)
// resolve to the API address, 100.100.100.100, where the agent forwards :80 and :443 to Parapet, so
// stock SDK code with its default endpoints reaches Parapet from inside. Two copies of one text:
// `/etc/netns/{InstanceId}/hosts`, which `ip netns exec {InstanceId}` bind-mounts over /etc/hosts
// for every process started that way, and the instance image's /etc/hosts (image.ts), which
// processes of the sandbox (sshd and its logons) see, since the sandbox's root is the image.
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_ADDRESS } from './names.ts';

/** where `ip netns exec` looks for a namespace's own /etc files */
export const NETNS_ETC = '/etc/netns';

/** The hosts file of an instance: localhost, then one line per endpoint name. */
export function instanceHosts(apiHostNames: readonly string[]): string {
  return ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', ...apiHostNames.map((n) => `${API_ADDRESS}\t${n}`), ''].join('\n');
}

/** A namespace name is one path component (`ip netns` refuses others too). */
function folderOf(ns: string): string | undefined {
  return ns === '' || ns === '.' || ns === '..' || ns.includes('/') ? undefined : join(NETNS_ETC, ns);
}

/** Writes `/etc/netns/{ns}/hosts`. */
export function writeNamespaceHosts(ns: string, text: string): void {
  const dir = folderOf(ns);
  if (dir === undefined) throw new Error(`\`${ns}\` is not a namespace name`);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(join(dir, 'hosts'), text, { mode: 0o644 });
}

/** Removes `/etc/netns/{ns}/hosts`, and the folder when nothing else is in it (whatever else is there is not ours). */
export function removeNamespaceHosts(ns: string): void {
  const dir = folderOf(ns);
  if (dir === undefined || !existsSync(dir)) return;
  rmSync(join(dir, 'hosts'), { force: true });
  try {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch { /* gone already, or not ours to remove */ }
}
