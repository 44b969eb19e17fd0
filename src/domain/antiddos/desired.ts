// The data plane's share of Anti-DDoS Basic (`DdosDesired`, part of the desired state,
// src/domain/dataplane-state.ts): every public address of a Running instance with its scrubbing
// thresholds in force (bits and packets per second) and whether scrubbing is on, and the black
// holes and penalties in force in the store. A Stopped instance keeps its address (as in Alibaba)
// but nothing reaches it, so only Running ones are watched; an address black-holed or penalized
// while its instance is stopped is still listed under `blackholes` / `penalties` until they end.
import type { DdosDesired } from './model.ts';
import { settingsRows, thresholdsOf } from './thresholds.ts';
import { ipStates, penaltiesInForce } from './status.ts';
import type { Db } from '../../store/store.ts';

export async function readDdosDesired(db: Db, now: number): Promise<DdosDesired> {
  const [instances, settings, states, penalties] = await Promise.all([
    db.selectFrom('instances').select(['id', 'account_id', 'region_id', 'instance_type', 'public_ip']).where('status', '=', 'Running').where('public_ip', '!=', '').orderBy('id').execute(),
    settingsRows(db),
    ipStates(db, now),
    penaltiesInForce(db, now),
  ]);
  const ips = instances.map((i) => {
    const t = thresholdsOf(i.instance_type, settings.get(i.id));
    return { ip: i.public_ip, accountId: i.account_id, regionId: i.region_id, instanceId: i.id, defenseBps: t.bpsMbps * 1_000_000, defensePps: t.pps, scrubbing: t.scrubbing };
  });
  const blackholes = [...states.entries()].filter(([, s]) => s.status === 'blackhole').map(([ip, s]) => ({ ip, until: s.blackholeUntil })).sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  return { ips, blackholes, penalties: penalties.map((p) => ({ ip: p.ip, until: p.until })) };
}
