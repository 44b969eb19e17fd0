// What the machine must have before the agent touches it: root, `ip`, `nft` and `conntrack`, and a
// public address pool that no route of the host overlaps (`preflight`: the agent refuses to start
// otherwise); and what instances' SSH needs, sshd, bubblewrap and busybox-static (`sshdUsable`:
// without them the network still works, instances get no sshd, and the agent says why, since
// sshd never runs outside a sandbox).
import { existsSync } from 'node:fs';
import { parseCidr, cidrOverlaps } from '../engine/cidr.ts';
import { must, run } from './sh.ts';
import { SSHD } from './sshd.ts';
import { BWRAP } from './sandbox.ts';
import { BUSYBOX } from './image.ts';
import type { AgentLog } from './log.ts';

/** The machine can run the data plane: root, the tools, and a public pool that no host route overlaps. */
export async function preflight(publicPool: string): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the data plane needs root (network namespaces, nftables)');
  for (const tool of ['ip', 'nft', 'conntrack']) {
    const r = await run('sh', ['-c', `command -v ${tool}`]);
    if (r.code !== 0) throw new Error(`the data plane needs \`${tool}\` (apt-get install iproute2 nftables conntrack)`);
  }
  const pool = parseCidr(publicPool);
  if (pool === null) throw new Error(`the public address pool \`${publicPool}\` is not an IPv4 CIDR`);
  // the cast: `ip -j route` prints an array of routes, each with `dst`
  const routes = JSON.parse(await must('ip', ['-j', 'route', 'show'])) as Array<{ dst: string }>;
  for (const r of routes) {
    if (r.dst === 'default') continue;
    const dst = parseCidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`);
    if (dst !== null && cidrOverlaps(dst, pool)) {
      throw new Error(`the public address pool \`${publicPool}\` overlaps the host's route \`${r.dst}\`; choose another (PARAPET_PUBLIC_IP_POOL)`);
    }
  }
}

/** Whether instances can get sshd here (sshd, and the sandbox it runs in); warns when not. */
export async function sshdUsable(log: AgentLog): Promise<boolean> {
  if (!existsSync(SSHD)) {
    // the network works without it; logons don't
    log.warn({ sshd: SSHD }, 'no sshd on this machine (apt-get install openssh-server): instances get no SSH');
    return false;
  }
  if ((await run('sh', ['-c', `command -v ${BWRAP}`])).code !== 0 || !existsSync(BUSYBOX)) {
    // sshd never runs outside a sandbox: on the host, a logon would be root on the host
    log.warn({ bwrap: BWRAP, busybox: BUSYBOX }, 'no bubblewrap or busybox on this machine (apt-get install bubblewrap busybox-static): instances get no SSH');
    return false;
  }
  return true;
}
