// The firewall of one network namespace, brought to the desired state in one `nft -f` transaction:
// the security groups of every ENI (plans.ts, rendered into the shared table of nft-state.ts; IPv4
// and, for a VPC ENI with IPv6 addresses, IPv6), the bridge's port guard (each ENI's port sends from
// its own addresses only), the 1:1 NAT of public addresses and the IPv6 addresses with internet
// access, with their routes in the internet namespace; then the sessions the new rules no longer
// allow are cut (conntrack.ts). A failure is returned, never thrown: it is that network's alone,
// and the agent's round goes on with the others (agent.ts).
import type { DesiredEni, DesiredInstance, DesiredNetwork } from '../domain/dataplane-state.ts';
import { renderEni, type NftEniPlan } from '../engine/firewall/nft.ts';
import { PlanCache } from './plans.ts';
import { shareRender } from './nft-state.ts';
import { nftApply, run } from './sh.ts';
import { INTERNET_IF, TRANSIT_NETWORK, TRANSIT6_NETWORK, eniTag, portName, uplinkName } from './names.ts';
import { bigIntToIp6, ip6ToBigInt } from '../engine/cidr.ts';
import { cutDisallowed } from './conntrack.ts';
import { baseTables, type AppliedNetwork } from './topology.ts';
import type { AgentLog } from './log.ts';

/** How many ENIs and NAT entries changed, or why the network's rules were not applied. */
export type SyncResult = { changed: number } | { error: Error };

export class FirewallSync {
  private readonly plans = new PlanCache();

  /** `internetNs`: where the routes of public addresses go */
  constructor(private readonly internetNs: string, private readonly log: AgentLog) {}

  /**
   * Brings the network's nftables (groups of every ENI, NAT) to the desired state for `members`
   * (the instances of the network); `groupMembers` are the addresses of every group's members,
   * `groupMembers6` their IPv6 addresses.
   * When the transaction fails, the network's tables are reset to the base, so that the next
   * round rebuilds them from nothing, and the error is returned.
   */
  async sync(
    applied: AppliedNetwork, n: DesiredNetwork, members: readonly DesiredInstance[], groupMembers: ReadonlyMap<string, readonly number[]>,
    groupMembers6: ReadonlyMap<string, readonly bigint[]> = new Map(),
  ): Promise<SyncResult> {
    try {
      return await this.apply(applied, n, members, groupMembers, groupMembers6);
    } catch (err) {
      // anything else that fails (the routes, the cut of sessions) is this network's failure too
      return { error: asError(err) };
    }
  }

  private async apply(
    applied: AppliedNetwork, n: DesiredNetwork, members: readonly DesiredInstance[], groupMembers: ReadonlyMap<string, readonly number[]>,
    groupMembers6: ReadonlyMap<string, readonly bigint[]>,
  ): Promise<SyncResult> {
    const wantEnis = new Map<string, { eni: DesiredEni; inst: DesiredInstance }>();
    for (const inst of members) for (const eni of inst.enis) wantEnis.set(eniTag(eni.eniId), { eni, inst });
    const script: string[] = [];
    let changed = 0;
    // ENIs gone
    for (const tag of [...applied.enis.keys()]) {
      if (wantEnis.has(tag)) continue;
      const old = applied.enis.get(tag)!;
      applied.table.remove(tag, script);
      script.push(`delete element bridge parapet_guard ports { "${old.port}" . ${old.ip} }`);
      const oldGuard = applied.guard6.get(tag);
      for (const a of oldGuard?.addrs ?? []) script.push(`delete element bridge parapet_guard ports6 { "${old.port}" . ${a} }`);
      if (oldGuard !== undefined && oldGuard.addrs.length > 0) dropNdGuard(tag, old.port, script);
      applied.guard6.delete(tag);
      applied.enis.delete(tag);
      changed++;
    }
    // ENIs new or changed
    const internetIf = n.kind === 'classic' ? INTERNET_IF : undefined;
    for (const [tag, { eni }] of wantEnis) {
      // IPv6 in VPCs only, each address in its canonical text (nft and conntrack print that form)
      const ip6 = n.kind === 'vpc' ? canonical6(eni.ipv6 ?? []) : [];
      const ip6Text = ip6.map(bigIntToIp6);
      const { hash, plan } = this.plans.get(ip6.length > 0 ? { ...eni, ip6 } : eni, n.kind, groupMembers, groupMembers6);
      const old = applied.enis.get(tag);
      const port = portName(eni.eniId);
      const oldGuard = applied.guard6.get(tag);
      const oldGuard6 = oldGuard?.addrs ?? [];
      const same6 = oldGuard6.length === ip6Text.length && oldGuard6.every((a, i) => a === ip6Text[i]) && (ip6Text.length === 0 || oldGuard?.mac === eni.mac);
      if (old !== undefined && old.hash === hash && old.ip === eni.ipText && same6) continue;
      applied.table.upsert(tag, eni.ipText, shareRender(renderEni(tag, plan, internetIf === undefined ? {} : { internetIf })), script, ip6Text);
      if (old === undefined || old.ip !== eni.ipText) {
        // the ENI's port on the bridge may send from its own address only
        if (old !== undefined) script.push(`delete element bridge parapet_guard ports { "${old.port}" . ${old.ip} }`);
        script.push(`add element bridge parapet_guard ports { "${port}" . ${eni.ipText} }`);
      }
      // and from its own IPv6 addresses
      for (const a of oldGuard6) if (!ip6Text.includes(a)) script.push(`delete element bridge parapet_guard ports6 { "${port}" . ${a} }`);
      for (const a of ip6Text) if (!oldGuard6.includes(a)) script.push(`add element bridge parapet_guard ports6 { "${port}" . ${a} }`);
      // and may advertise (neighbour advertisements) its own addresses only
      if (ip6Text.length > 0) {
        if (oldGuard6.length > 0) script.push(`flush chain bridge parapet_guard nd_${tag}`);
        else script.push(`add chain bridge parapet_guard nd_${tag}`, `add element bridge parapet_guard nd6 { "${port}" : jump nd_${tag} }`);
        // one comparison a target: a raw payload against an anonymous set of integers is compared in host byte order
        for (const t of ndTargets(ip6, eni.mac)) script.push(`add rule bridge parapet_guard nd_${tag} @th,64,128 ${t} accept`);
        script.push(`add rule bridge parapet_guard nd_${tag} drop`);
      } else if (oldGuard6.length > 0) {
        dropNdGuard(tag, port, script);
      }
      applied.guard6.set(tag, { port, addrs: ip6Text, mac: eni.mac });
      applied.enis.set(tag, { ip: eni.ipText, port, hash, plan, ip6: ip6Text });
      changed++;
    }
    applied.table.collect(script);
    // 1:1 NAT of public addresses (the primary ENI's address)
    const wantNat = new Map<string, string>();
    for (const inst of members) if (inst.publicIp !== '' && inst.enis[0] !== undefined) wantNat.set(inst.enis[0].ipText, inst.publicIp);
    const routeLines: string[] = [];
    const uplink = uplinkName(n.key);
    for (const [priv, pub] of applied.nat) {
      if (wantNat.get(priv) === pub) continue;
      script.push(`delete element ip parapet_nat dnat_map { ${pub} }`, `delete element ip parapet_nat snat_map { ${priv} }`, `delete element inet parapet public_src { ${priv} }`);
      routeLines.push(`route del ${pub}/32 dev ${uplink}`);
      applied.nat.delete(priv);
    }
    for (const [priv, pub] of wantNat) {
      if (applied.nat.get(priv) === pub) continue;
      script.push(`add element ip parapet_nat dnat_map { ${pub} : ${priv} }`, `add element ip parapet_nat snat_map { ${priv} : ${pub} }`, `add element inet parapet public_src { ${priv} }`);
      routeLines.push(`route replace ${pub}/32 via ${TRANSIT_NETWORK} dev ${uplink} onlink`);
      applied.nat.set(priv, pub);
      changed++;
    }
    // IPv6 addresses with internet access: out through the uplink, and a /128 route in from the internet namespace
    const want6 = new Set<string>();
    if (n.kind === 'vpc') {
      for (const inst of members) for (const e of inst.enis) for (const a of e.ipv6 ?? []) if (a.internet) { const x = ip6ToBigInt(a.address); if (x !== null) want6.add(bigIntToIp6(x)); }
    }
    for (const a of applied.public6) {
      if (want6.has(a)) continue;
      script.push(`delete element inet parapet public6_src { ${a} }`);
      routeLines.push(`route del ${a}/128 dev ${uplink}`);
      applied.public6.delete(a);
    }
    for (const a of want6) {
      if (applied.public6.has(a)) continue;
      script.push(`add element inet parapet public6_src { ${a} }`);
      routeLines.push(`route replace ${a}/128 via ${TRANSIT6_NETWORK} dev ${uplink}`);
      applied.public6.add(a);
      changed++;
    }
    if (script.length > 0) {
      try {
        await nftApply(applied.ns, script.join('\n') + '\n');
      } catch (err) {
        // what the kernel holds is now unknown: rebuild this network's tables from nothing next round
        await nftApply(applied.ns, 'delete table inet parapet\ndelete table ip parapet_nat\ndelete table bridge parapet_guard\n' + baseTables()).catch(() => undefined);
        applied.enis.clear();
        applied.table.clear();
        applied.nat.clear();
        applied.public6.clear();
        applied.guard6.clear();
        return { error: asError(err) };
      }
    }
    for (const line of routeLines) await run('ip', ['-n', this.internetNs, ...line.split(' ')]);
    if (changed > 0) {
      // sessions the new rules no longer allow are cut (SPEC §1.3)
      const plans = new Map<string, NftEniPlan>();
      for (const e of applied.enis.values()) {
        plans.set(e.ip, e.plan);
        for (const a of e.ip6 ?? []) plans.set(a, e.plan);
      }
      await cutDisallowed(applied.ns, plans, n.kind === 'classic', this.log);
    }
    return { changed };
  }
}

/** Takes the ENI's neighbour-advertisement guard (its chain and its port's element) out of the bridge table. */
function dropNdGuard(tag: string, port: string, script: string[]): void {
  script.push(`delete element bridge parapet_guard nd6 { "${port}" }`, `flush chain bridge parapet_guard nd_${tag}`, `delete chain bridge parapet_guard nd_${tag}`);
}

/**
 * The targets an ENI's port may advertise, as the 128-bit integers nft compares the advertisement's
 * target field with (`@th,64,128`): the ENI's IPv6 addresses and the link-local address its
 * interface takes from its MAC (modified EUI-64, the kernel's default).
 */
function ndTargets(ip6: readonly bigint[], mac: string): string[] {
  const hex = (x: bigint): string => `0x${x.toString(16).padStart(32, '0')}`;
  const out = ip6.map(hex);
  const b = mac.split(':').map((x) => parseInt(x, 16));
  if (b.length === 6 && b.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)) {
    const iid = [b[0]! ^ 2, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!].reduce((acc, x) => (acc << 8n) | BigInt(x), 0n);
    out.push(hex((0xfe80n << 112n) | iid));
  }
  return out;
}

/** The ENI's IPv6 addresses as bigints, in order, each once; texts that are not addresses are skipped. */
function canonical6(list: ReadonlyArray<{ address: string }>): bigint[] {
  const out: bigint[] = [];
  for (const a of list) {
    const x = ip6ToBigInt(a.address);
    if (x !== null && !out.includes(x)) out.push(x);
  }
  return out;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
