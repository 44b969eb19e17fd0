// Cloud Enterprise Network in the kernel (docs/CEN.md): one namespace per CEN,
// `{prefix}{CenId}`, that routes between the namespaces of the VPCs attached to it. Each attached
// VPC that has a namespace gets a veth from its namespace (`cen0`, 169.254.1.1) to the CEN's
// (`c<hash>`, 169.254.1.2; the same pair on every link, neighbours are per device), a route in the
// CEN's namespace for its CIDR block, and in its own namespace a route for each other attached
// VPC's CIDR block through `cen0`. Nothing is filtered here: a packet from the CEN enters the
// destination VPC's namespace and passes its `forward` chain like one from the same VPC (the
// destination ENI's ingress by address, `ip daddr vmap @in_dispatch`; the groups' sets hold the
// other VPC's members, dataplane-state.ts `networkMembers`), and the sender's egress was judged in
// its own VPC's namespace. A CEN namespace exists while two or more of its VPCs have namespaces.
// A detach removes the link and the routes at once, then deletes the tracked sessions between the
// VPCs it separated (conntrack in each namespace), so no established flow outlives the path.
import type { DesiredCen } from '../domain/dataplane-state.ts';
import { parseCidr, cidrHasIp, ipToInt, type Cidr } from '../engine/cidr.ts';
import type { AppliedNetwork } from './topology.ts';
import { ipBatch, must, run } from './sh.ts';
import { cenLinkName, networkNamespace } from './names.ts';
import { registerNamespace, unregisterNamespace } from './registry.ts';
import { parseSessions } from './conntrack.ts';

/** the VPC's end of its link to the CEN's namespace */
export const CEN_IF = 'cen0';
const CEN_VPC_SIDE = '169.254.1.1';
const CEN_ROUTER_SIDE = '169.254.1.2';

interface AppliedLink {
  /** the VPC's namespace record the link was made in: another one (made again) means the link went with the old namespace */
  net: AppliedNetwork;
  cidr: string;
  /** the other VPCs' CIDR blocks routed through `cen0` in the VPC's namespace */
  routes: Set<string>;
}

interface AppliedCen { ns: string; links: Map<string, AppliedLink> }

export class CenLinks {
  private readonly cens = new Map<string, AppliedCen>();

  constructor(private readonly stateDir: string, private readonly prefix: string) {}

  /** Forgets the CEN namespaces removed behind the agent's back (made again this round). */
  forgetLost(present: ReadonlySet<string>): string[] {
    const out: string[] = [];
    for (const [id, c] of this.cens) if (!present.has(c.ns)) { this.cens.delete(id); out.push(`lost ${c.ns}`); }
    return out;
  }

  /**
   * Brings the CEN namespaces, their links and the VPCs' routes to `cens` for the VPC namespaces
   * in `networks`; returns what changed. Level-based: safe to run any number of times.
   */
  async sync(cens: readonly DesiredCen[], networks: ReadonlyMap<string, AppliedNetwork>): Promise<string[]> {
    const changes: string[] = [];
    /** per CEN: the attached VPCs that have a namespace, with their CIDR blocks */
    const want = new Map<string, Map<string, string>>();
    for (const c of cens) {
      const present = new Map(c.vpcs.filter((v) => networks.has(v.vpcId)).map((v) => [v.vpcId, v.cidrBlock]));
      if (present.size >= 2) want.set(c.cenId, present);
    }
    // sessions to cut after the routes changed: per VPC namespace, the CIDR blocks it no longer reaches
    const cut = new Map<string, Set<string>>();
    const cutIn = (ns: string, cidr: string) => {
      let s = cut.get(ns);
      if (s === undefined) cut.set(ns, s = new Set());
      s.add(cidr);
    };
    // CENs gone (or down to one VPC): the namespace goes, with every link
    for (const [id, applied] of [...this.cens]) {
      if (want.has(id)) continue;
      for (const [vpcId, link] of applied.links) this.unlinkRecord(vpcId, link, applied, networks, cutIn);
      await this.deleteNamespace(applied.ns);
      this.cens.delete(id);
      changes.push(`- ${applied.ns}`);
    }
    for (const [id, vpcs] of want) {
      let applied = this.cens.get(id);
      if (applied === undefined) {
        applied = { ns: networkNamespace(this.prefix, id), links: new Map() };
        await this.addNamespace(applied.ns);
        this.cens.set(id, applied);
        changes.push(`+ ${applied.ns}`);
      }
      // links gone: detached, or a VPC namespace made again (its old link went with it)
      for (const [vpcId, link] of [...applied.links]) {
        const net = networks.get(vpcId);
        if (vpcs.get(vpcId) === link.cidr && net === link.net) continue;
        this.unlinkRecord(vpcId, link, applied, networks, cutIn);
        await run('ip', ['-n', applied.ns, 'link', 'del', cenLinkName(vpcId)]);
        // a namespace made again has no cen0 left; one that stays has its routes through it gone with the link
        applied.links.delete(vpcId);
        changes.push(`- ${id} ${vpcId}`);
      }
      // links new
      for (const [vpcId, cidr] of vpcs) {
        if (applied.links.has(vpcId)) continue;
        const net = networks.get(vpcId)!;
        const dev = cenLinkName(vpcId);
        // a link left by a namespace removed a moment ago may still be there (teardown is asynchronous)
        await run('ip', ['-n', applied.ns, 'link', 'del', dev]);
        await run('ip', ['-n', net.ns, 'link', 'del', CEN_IF]);
        await ipBatch(applied.ns, [
          `link add ${dev} type veth peer name ${CEN_IF} netns ${net.ns}`,
          `addr add ${CEN_ROUTER_SIDE}/32 dev ${dev}`,
          `link set ${dev} up`,
          `route replace ${cidr} via ${CEN_VPC_SIDE} dev ${dev} onlink`,
        ]);
        await ipBatch(net.ns, [`addr add ${CEN_VPC_SIDE}/32 dev ${CEN_IF}`, `link set ${CEN_IF} up`]);
        applied.links.set(vpcId, { net, cidr, routes: new Set() });
        changes.push(`+ ${id} ${vpcId}`);
      }
      // each VPC's routes to the others
      for (const [vpcId, link] of applied.links) {
        const others = new Set([...vpcs].filter(([v]) => v !== vpcId).map(([, c]) => c));
        const dels: string[] = [];
        for (const r of link.routes) if (!others.has(r)) { dels.push(`route del ${r} dev ${CEN_IF}`); cutIn(link.net.ns, r); }
        // -force: a route already gone is fine
        if (dels.length > 0) await run('ip', ['-n', link.net.ns, '-force', '-batch', '-'], { input: dels.join('\n') + '\n' });
        await ipBatch(link.net.ns, [...others].filter((r) => !link.routes.has(r)).map((r) => `route replace ${r} via ${CEN_ROUTER_SIDE} dev ${CEN_IF} onlink`));
        link.routes = others;
      }
    }
    for (const [ns, cidrs] of cut) {
      const n = await cutSessions(ns, [...cidrs]);
      if (n > 0) changes.push(`cut ${n} sessions in ${ns}`);
    }
    return changes;
  }

  /** Removes every CEN namespace (the agent's stop); a failure is skipped. */
  async removeAll(): Promise<void> {
    for (const c of this.cens.values()) await this.deleteNamespace(c.ns).catch(() => undefined);
    this.cens.clear();
  }

  /**
   * Forgets a link and notes the sessions its end separates: in the VPC's namespace (still there)
   * those with the other VPCs of the CEN, in the others' those with this VPC's block.
   */
  private unlinkRecord(vpcId: string, link: AppliedLink, applied: AppliedCen, networks: ReadonlyMap<string, AppliedNetwork>, cutIn: (ns: string, cidr: string) => void): void {
    if (networks.get(vpcId) === link.net) for (const r of link.routes) cutIn(link.net.ns, r);
    for (const [other, l] of applied.links) {
      if (other === vpcId) continue;
      if (networks.get(other) === l.net) cutIn(l.net.ns, link.cidr);
    }
  }

  private async addNamespace(ns: string): Promise<void> {
    registerNamespace(this.stateDir, ns);
    await run('ip', ['netns', 'del', ns]);
    await must('ip', ['netns', 'add', ns]);
    await ipBatch(ns, ['link set lo up']);
    await must('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  }

  private async deleteNamespace(ns: string): Promise<void> {
    await run('ip', ['netns', 'del', ns]);
    unregisterNamespace(this.stateDir, ns);
  }

}

/** Deletes the tracked sessions in namespace `ns` whose either end is inside one of `cidrs`; returns how many. */
export async function cutSessions(ns: string, cidrs: readonly string[]): Promise<number> {
  const blocks = cidrs.map((c) => parseCidr(c)).filter((c): c is Cidr => c !== null);
  if (blocks.length === 0) return 0;
  const listed = await run('ip', ['netns', 'exec', ns, 'conntrack', '-L'], { timeoutMs: 10_000 });
  if (listed.code !== 0) return 0;
  const inside = (ip: string) => { const n = ipToInt(ip); return n !== null && blocks.some((b) => cidrHasIp(b, n)); };
  let cut = 0;
  for (const s of parseSessions(listed.stdout)) {
    if (!inside(s.src) && !inside(s.dst) && !inside(s.replySrc)) continue;
    const args = ['netns', 'exec', ns, 'conntrack', '-D', '-p', s.protocol, '-s', s.src, '-d', s.dst];
    if (s.protocol === 'tcp' || s.protocol === 'udp') args.push('--sport', String(s.sport), '--dport', String(s.dport));
    const r = await run('ip', args, { timeoutMs: 10_000 });
    if (r.code === 0) cut++;
  }
  return cut;
}
