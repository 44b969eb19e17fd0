// What the Anti-DDoS page and the Instances list share: the wire shapes of antiddos-public
// 2017-05-18 (DescribeInstanceIpAddress, DescribeIpDdosThreshold, DescribeDdosEventList,
// DescribeDdosCount, DescribeCap) and of Parapet's DescribePenalties, an address's status tag (with
// the time a black hole has left), the number and date formats of the user's language, and the
// region's addresses that are not normal, by instance (the Instances list's DDoS column).
import { useEffect, useState } from 'react';
import { Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { call } from '../api.ts';
import { formatDate } from '../format.ts';
import { useI18n, type Lang, type T } from '../i18n/index.tsx';
import { TAG_OK, TAG_WARN } from './InstanceParts.tsx';

/** An address's state on the wire (`IpStatus`): normal, defense (being scrubbed), blackhole. */
export type IpStatus = 'normal' | 'defense' | 'blackhole';

export interface IpConfig {
  InstanceIp: string;
  IpStatus: IpStatus;
  RegionId: string;
  /** Mbit/s */
  DefenseBpsThreshold: number;
  DefensePpsThreshold: number;
  /** Mbit/s */
  BlackholeThreshold: number;
  ElasticThreshold: number;
  ScrubbingEnabled: boolean;
  /** ms since the epoch, when black-holed */
  UnBlackholeTime?: number;
}

export interface DdosAsset { InstanceId: string; InstanceName: string; InstanceStatus: string; IpAddressConfig: IpConfig[] }
export interface DdosAssetsPage { Total: number; InstanceList: DdosAsset[] }

export interface DefenseThreshold { DdosType: 'defense'; IsAuto: boolean; InstanceId: string; InternetIp: string; Bps: number; Pps: number; MaxBps: number; MaxPps: number }

export interface DdosEvent {
  EventId: string; DdosType: 'defense' | 'blackhole'; DdosStatus: IpStatus; StartTime: number; EndTime?: number; UnBlackholeTime?: number;
  InstanceId: string; InternetIp: string; PeakBps: number; PeakPps: number; Released: boolean;
}
export interface DdosEventsPage { Total: number; DdosEventList: { DdosEvent: DdosEvent[] } }

export interface DdosCount { DdosCount: { InstacenCount: number; DefenseCount: number; BlackholeCount: number } }

export interface TrafficPoint { Time: number; BpsIn: number; PpsIn: number; BpsOut: number; PpsOut: number }
export interface CapAnswer { InternetIp: string; BegTime: number; EndTime: number; Interval: number; Traffic: { Point: TrafficPoint[] } }

export interface Penalty {
  PenaltyId: string; InstanceId: string; RegionId: string; InternetIp: string; Status: 'active' | 'ended';
  StartTime: string; PlannedEndTime: string; EndTime: string; EndedBy: '' | 'expired' | 'operator';
  PeakOutBps: number; PeakOutPps: number; AppealStatus: 'none' | 'pending' | 'accepted'; AppealReason: string; AppealTime: string;
}
export interface PenaltiesPage { TotalCount: number; PageNumber: number; PageSize: number; Penalties: { Penalty: Penalty[] } }

/** The only asset type Parapet has (`InstanceType` of every Anti-DDoS call). */
export const ECS = 'ecs';
/** DescribeInstanceIpAddress's page size limit */
export const MAX_DDOS_PAGE = 50;

// solid dark tags (antd's light presets fail WCAG contrast for their text)
const TAG_BLACKHOLE = '#a8071a';
export const STATUS_COLOR: Record<IpStatus, string> = { normal: TAG_OK, defense: TAG_WARN, blackhole: TAG_BLACKHOLE };
export const STATUS_LABEL = { normal: 'ddos.status.normal', defense: 'ddos.status.defense', blackhole: 'ddos.status.blackhole' } as const;

export const locale = (lang: Lang): string => (lang === 'zh' ? 'zh-CN' : 'en-US');

/** A number in the user's language (1,000 / 1,000). */
export function formatNumber(n: number, lang: Lang): string {
  return n.toLocaleString(locale(lang), { maximumFractionDigits: 2 });
}

/** Bits per second with a unit that fits (bit/s, kbit/s, Mbit/s, Gbit/s). */
export function formatBps(bps: number, lang: Lang): string {
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'] as const;
  let v = bps;
  let u = 0;
  while (Math.abs(v) >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return `${formatNumber(v, lang)} ${units[u]!}`;
}

/** A time (ms since the epoch, or an ISO-8601 text) in the user's language; '' for none. */
export function formatTime(at: number | string | undefined, lang: Lang): string {
  return formatDate(at, lang, '');
}

/** A span as h:mm:ss (the black hole's time left). */
export function formatLeft(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** The current time, moving every `everyMs` while `active`. */
export function useNow(everyMs: number, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs, active]);
  return now;
}

/** An address's status: normal, Scrubbing, or Black hole with the time it has left (unless `until` is left out). */
export function DdosStatusTag({ status, until, t }: { status: IpStatus; until?: number | undefined; t: T }) {
  const now = useNow(1000, status === 'blackhole' && until !== undefined);
  const left = status === 'blackhole' && until !== undefined ? t('ddos.left', { time: formatLeft(until - now) }) : undefined;
  return <Tag color={STATUS_COLOR[status]} data-testid={`ddos-status-${status}`}>{t(STATUS_LABEL[status])}{left !== undefined ? ` · ${left}` : ''}</Tag>;
}

/** The first address of an asset (Parapet's ECS assets have one: the instance's public IP). */
export const ipOf = (a: DdosAsset): IpConfig | undefined => a.IpAddressConfig[0];

/** Every asset of the region in one state, page after page (the API's pages hold at most 50). */
async function assetsIn(region: string, status: 'defense' | 'blackhole'): Promise<DdosAsset[]> {
  const out: DdosAsset[] = [];
  for (let page = 1; ; page++) {
    const r = await call<DdosAssetsPage>('antiddos', 'DescribeInstanceIpAddress', { DdosRegionId: region, InstanceType: ECS, DdosStatus: status, CurrentPage: page, PageSize: MAX_DDOS_PAGE });
    out.push(...r.InstanceList);
    if (out.length >= r.Total || r.InstanceList.length === 0) return out;
  }
}

/**
 * The region's instances whose public address is being scrubbed or black-holed, by instance id
 * (an instance not in the map is normal). Read once per region and refreshed every 30 s: the
 * DdosStatus filter asks only for those, so a region of many calm instances costs two small reads.
 */
export function useDdosStatuses(region: string, enabled: boolean) {
  return useQuery({
    queryKey: ['antiddos', 'abnormal', region],
    enabled,
    refetchInterval: 30_000,
    retry: false,
    queryFn: async () => {
      const [defense, blackhole] = await Promise.all([assetsIn(region, 'defense'), assetsIn(region, 'blackhole')]);
      const m = new Map<string, IpConfig>();
      for (const a of [...defense, ...blackhole]) { const ip = ipOf(a); if (ip !== undefined) m.set(a.InstanceId, ip); }
      return m;
    },
  });
}

/** The language, for the format helpers. */
export function useLang(): Lang {
  return useI18n().lang;
}
