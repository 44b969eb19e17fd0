// An address's Anti-DDoS state as the API and the data plane see it: what the monitor last
// reported (`antiddos_ip_status`), read at a time. A black hole whose end has passed is over even if
// no monitor said so (an agent that stopped); penalties in force are the open ones whose end is
// still ahead.
import type { IpStatus } from './model.ts';
import type { Db, Tx } from '../../store/store.ts';

export interface IpState {
  status: IpStatus;
  /** since when (ms), 0 when never reported */
  since: number;
  /** when the black hole ends (ms), 0 unless `blackhole` */
  blackholeUntil: number;
}

export const NORMAL: Readonly<IpState> = Object.freeze({ status: 'normal', since: 0, blackholeUntil: 0 });

/** The state of one stored row at `now`. */
export function stateAt(row: { status: string; since: number; blackhole_until: number } | undefined, now: number): IpState {
  if (row === undefined) return NORMAL;
  if (row.status === 'blackhole') return row.blackhole_until > now ? { status: 'blackhole', since: row.since, blackholeUntil: row.blackhole_until } : NORMAL;
  if (row.status === 'defense') return { status: 'defense', since: row.since, blackholeUntil: 0 };
  return { status: 'normal', since: row.since, blackholeUntil: 0 };
}

/** The states of these addresses at `now` (every reported address when `ips` is undefined); an address never reported is normal. */
export async function ipStates(db: Db | Tx, now: number, ips?: readonly string[]): Promise<Map<string, IpState>> {
  if (ips !== undefined && ips.length === 0) return new Map();
  let q = db.selectFrom('antiddos_ip_status').selectAll();
  if (ips !== undefined) q = q.where('ip', 'in', [...ips]);
  return new Map((await q.execute()).map((r) => [r.ip, stateAt(r, now)]));
}

export interface PenaltyInForce { id: string; ip: string; instanceId: string; until: number }

/** Penalties in force at `now` (of these addresses, or all). */
export async function penaltiesInForce(db: Db | Tx, now: number, ips?: readonly string[]): Promise<PenaltyInForce[]> {
  if (ips !== undefined && ips.length === 0) return [];
  let q = db.selectFrom('antiddos_penalties').select(['id', 'ip', 'instance_id', 'until']).where('end_at', '=', 0).where('until', '>', now);
  if (ips !== undefined) q = q.where('ip', 'in', [...ips]);
  return (await q.orderBy('ip').execute()).map((r) => ({ id: r.id, ip: r.ip, instanceId: r.instance_id, until: r.until }));
}
