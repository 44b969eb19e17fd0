// The firewall of one network namespace, brought to the desired state in one `nft -f` transaction:
// the security groups of every ENI (plans.ts, rendered into the shared table of nft-state.ts), the
// bridge's port guard (each ENI's port sends from its own address only), and the 1:1 NAT of public
// addresses with their routes in the internet namespace; then the sessions the new rules no longer
// allow are cut (conntrack.ts). A failure is returned, never thrown: it is that network's alone,
// and the agent's round goes on with the others (agent.ts).
import type { DesiredEni, DesiredInstance, DesiredNetwork } from '../domain/dataplane-state.ts';
import { renderEni, type NftEniPlan } from '../engine/firewall/nft.ts';
import { PlanCache } from './plans.ts';
import { shareRender } from './nft-state.ts';
import { nftApply, run } from './sh.ts';
import { INTERNET_IF, TRANSIT_NETWORK, eniTag, portName, uplinkName } from './names.ts';
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
   * (the instances of the network); `groupMembers` are the addresses of every group's members.
   * When the transaction fails, the network's tables are reset to the base, so that the next
   * round rebuilds them from nothing, and the error is returned.
   */
  async sync(applied: AppliedNetwork, n: DesiredNetwork, members: readonly DesiredInstance[], groupMembers: ReadonlyMap<string, readonly number[]>): Promise<SyncResult> {
    try {
      return await this.apply(applied, n, members, groupMembers);
    } catch (err) {
      // anything else that fails (the routes, the cut of sessions) is this network's failure too
      return { error: asError(err) };
    }
  }

  private async apply(applied: AppliedNetwork, n: DesiredNetwork, members: readonly DesiredInstance[], groupMembers: ReadonlyMap<string, readonly number[]>): Promise<SyncResult> {
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
      applied.enis.delete(tag);
      changed++;
    }
    // ENIs new or changed
    const internetIf = n.kind === 'classic' ? INTERNET_IF : undefined;
    for (const [tag, { eni }] of wantEnis) {
      const { hash, plan } = this.plans.get(eni, n.kind, groupMembers);
      const old = applied.enis.get(tag);
      if (old !== undefined && old.hash === hash && old.ip === eni.ipText) continue;
      applied.table.upsert(tag, eni.ipText, shareRender(renderEni(tag, plan, internetIf === undefined ? {} : { internetIf })), script);
      const port = portName(eni.eniId);
      if (old === undefined || old.ip !== eni.ipText) {
        // the ENI's port on the bridge may send from its own address only
        if (old !== undefined) script.push(`delete element bridge parapet_guard ports { "${old.port}" . ${old.ip} }`);
        script.push(`add element bridge parapet_guard ports { "${port}" . ${eni.ipText} }`);
      }
      applied.enis.set(tag, { ip: eni.ipText, port, hash, plan });
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
    if (script.length > 0) {
      try {
        await nftApply(applied.ns, script.join('\n') + '\n');
      } catch (err) {
        // what the kernel holds is now unknown: rebuild this network's tables from nothing next round
        await nftApply(applied.ns, 'delete table inet parapet\ndelete table ip parapet_nat\ndelete table bridge parapet_guard\n' + baseTables()).catch(() => undefined);
        applied.enis.clear();
        applied.table.clear();
        applied.nat.clear();
        return { error: asError(err) };
      }
    }
    for (const line of routeLines) await run('ip', ['-n', this.internetNs, ...line.split(' ')]);
    if (changed > 0) {
      // sessions the new rules no longer allow are cut (SPEC §1.3)
      const plans = new Map<string, NftEniPlan>();
      for (const e of applied.enis.values()) plans.set(e.ip, e.plan);
      await cutDisallowed(applied.ns, plans, n.kind === 'classic', this.log);
    }
    return { changed };
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
