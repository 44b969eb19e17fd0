// Anti-DDoS Basic (SPEC §5): the shapes the domain and the data plane share. The domain reads, for
// the agent, every watched public address with its scrubbing thresholds and the black holes and
// penalties in force (`DdosDesired`, part of the desired state); the agent's monitor counts each
// address's traffic in the kernel, decides (normal → defense → blackhole, and penalties for outbound
// floods) and reports samples and transitions (`DdosReport`), which the domain stores as the
// addresses' status, the event list, the traffic series (DescribeCap) and the penalty records.
// The operator's settings (`DdosSettings`) come from the environment (README).

/** What DescribeInstanceIpAddress reports as `IpStatus`. */
export type IpStatus = 'normal' | 'defense' | 'blackhole';

export interface DdosWatchedIp {
  ip: string;
  accountId: string;
  regionId: string;
  instanceId: string;
  /** inbound scrubbing thresholds in force: bits per second and packets per second */
  defenseBps: number;
  defensePps: number;
  /** false when the owner turned scrubbing off (DisableDdosScrubbing): no defense state, black holes still apply */
  scrubbing: boolean;
}

export interface DdosDesired {
  ips: DdosWatchedIp[];
  /** black holes in force in the store (`until`: ms since the epoch) */
  blackholes: Array<{ ip: string; until: number }>;
  /** penalties in force in the store: the address's outbound internet is cut until `until` */
  penalties: Array<{ ip: string; until: number }>;
}

/** The operator's settings (environment variables, README). */
export interface DdosSettings {
  /** PARAPET_ANTIDDOS_BLACKHOLE_BPS: inbound bits per second that black-hole an address (default 5 Gbit/s) */
  blackholeBps: number;
  /** PARAPET_ANTIDDOS_BLACKHOLE_SECONDS: how long a black hole lasts, restarted while the attack goes on (default 2.5 h) */
  blackholeSeconds: number;
  /** PARAPET_ANTIDDOS_SAMPLE_MS: how often the counters are read (default 500, at most 1000) */
  sampleMs: number;
  /** PARAPET_ANTIDDOS_HOLD_SECONDS: how long the inbound rate stays under the thresholds before scrubbing ends (default 60) */
  holdSeconds: number;
  /** PARAPET_PENALTY_OUT_PPS: outbound packets per second of an address that penalize it (default 0: off) */
  penaltyOutPps: number;
  /** PARAPET_PENALTY_SECONDS: how long a penalty cuts the outbound internet (default 3600) */
  penaltySeconds: number;
}

export const DEFAULT_DDOS_SETTINGS: DdosSettings = {
  blackholeBps: 5_000_000_000, blackholeSeconds: 9000, sampleMs: 500, holdSeconds: 60, penaltyOutPps: 0, penaltySeconds: 3600,
};

/** Rates of one address over one interval (bits and packets per second, in = towards the address). */
export interface DdosSample { ip: string; at: number; bpsIn: number; ppsIn: number; bpsOut: number; ppsOut: number }

/** A change of an address's state; peaks are the highest inbound (outbound for penalties) rates seen in the event so far. */
export type DdosTransition =
  | { kind: 'defenseStart' | 'defenseEnd'; ip: string; at: number; peakBps: number; peakPps: number }
  /** `until`: when the black hole ends unless the attack goes on (a later `blackholeExtend` moves it) */
  | { kind: 'blackholeStart' | 'blackholeExtend'; ip: string; at: number; until: number; peakBps: number; peakPps: number }
  /** `released`: an operator ended it (`parapet admin release-blackhole`) */
  | { kind: 'blackholeEnd'; ip: string; at: number; peakBps: number; peakPps: number; released?: boolean }
  | { kind: 'penaltyStart'; ip: string; at: number; until: number; peakBps: number; peakPps: number }
  | { kind: 'penaltyEnd'; ip: string; at: number };

/**
 * What the monitor reports: at most about once a second, the per-second rates of every address that
 * had traffic (an address without a sample had none), and every transition as soon as it happens.
 */
export interface DdosReport { samples: DdosSample[]; transitions: DdosTransition[] }
