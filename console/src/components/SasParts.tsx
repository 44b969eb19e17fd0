// What the Security Center pages share (sas 2018-12-03 and Parapet's 2026-11-01 operations): the
// wire shapes they read, the level tags, the sub-page bar (one nav entry, the sub-pages as links,
// each its own route and lazily loaded chunk), and the assets of a page of instances read with ONE
// DescribeCloudCenterInstances call (the Instances list's security status, never one call per row).
import { Space, Tag } from 'antd';
import type { ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useLocation } from 'react-router';
import { call } from '../api.ts';
import { formatDate } from '../format.ts';
import { useCapabilities } from '../capabilities.ts';
import type { MessageKey } from '../i18n/en.ts';
import { ROUTES } from '../route-table.ts';
import { useT } from '../i18n/index.tsx';
import { useRegionLink } from '../region.ts';
import { TAG_OK, TAG_WARN } from './InstanceParts.tsx';

/** the Parapet version of DescribeSecurityScore, the notifications and InstallSecurityAgent */
export const PARAPET = '2026-11-01';
/** the query key every Security Center read lives under: one invalidation refreshes them all */
export const SAS_KEY = 'sas';
/** the orange of the security status icon (CONSOLE.md) */
export const RISK_ORANGE = '#d46b08';
export const DANGER_RED = '#a8071a';

export type AlertLevel = 'serious' | 'suspicious' | 'remind';
export const ALERT_LEVELS: AlertLevel[] = ['serious', 'suspicious', 'remind'];
export type AlertStatus = 'pending' | 'handled' | 'ignored';
export const ALERT_STATUSES: AlertStatus[] = ['pending', 'handled', 'ignored'];
export type BaselineLevel = 'high' | 'medium' | 'low';
export const BASELINE_LEVELS: BaselineLevel[] = ['high', 'medium', 'low'];

export interface Asset {
  Uuid: string; InstanceId: string; InstanceName: string; RegionId: string; InternetIp?: string; IntranetIp?: string;
  ClientStatus: string; ClientSubStatus: string; Bind: boolean; RiskStatus?: 'YES' | 'NO'; SafeStatus?: 'risk' | 'safe';
  AlarmStatus?: 'YES' | 'NO'; VulStatus?: 'YES' | 'NO'; HealthCheckCount?: number; RiskCount?: string;
}
export interface AssetsPage { Instances: Asset[]; PageInfo: { TotalCount: number } }
export interface RiskCount { baselineNum: number; suspNum: number; vulNum: number }

export interface AlertDetail { Name: string; Value: string }
export interface SuspEvent {
  Id: number; AlarmEventName: string; AlarmEventNameDisplay: string; Level: AlertLevel; EventStatus: number; Status: AlertStatus;
  Uuid: string; InstanceId: string; RegionId: string; SourceIp: string; Count: number; OccurrenceTimestamp: number; LastTimestamp: number;
  Desc: string; Advice: string; CanBeDealOnLine: boolean; Details: AlertDetail[]; ResolvedTime?: string;
}
export interface SuspEventsPage { SuspEvents: SuspEvent[]; TotalCount: number }

export function riskCountOf(a: Asset): RiskCount | undefined {
  if (a.RiskCount === undefined) return undefined;
  try {
    const o = JSON.parse(a.RiskCount) as Partial<RiskCount>;
    return { baselineNum: o.baselineNum ?? 0, suspNum: o.suspNum ?? 0, vulNum: o.vulNum ?? 0 };
  } catch { return undefined; }
}

const ALERT_LEVEL_KEY: Record<AlertLevel, MessageKey> = { serious: 'sas.level.serious', suspicious: 'sas.level.suspicious', remind: 'sas.level.remind' };
const BASELINE_LEVEL_KEY: Record<BaselineLevel, MessageKey> = { high: 'sas.level.high', medium: 'sas.level.medium', low: 'sas.level.low' };
const STATUS_KEY: Record<AlertStatus, MessageKey> = { pending: 'sas.status.pending', handled: 'sas.status.handled', ignored: 'sas.status.ignored' };

export function alertLevelLabel(t: ReturnType<typeof useT>, l: AlertLevel): string { return t(ALERT_LEVEL_KEY[l]); }
export function baselineLevelLabel(t: ReturnType<typeof useT>, l: BaselineLevel): string { return t(BASELINE_LEVEL_KEY[l]); }
export function statusLabel(t: ReturnType<typeof useT>, s: AlertStatus): string { return t(STATUS_KEY[s]); }

/** A level as a tag: the serious and high ones in dark red, the middle ones in dark orange (text contrast ≥ 4.5). */
export function LevelTag({ level }: { level: AlertLevel | BaselineLevel }) {
  const t = useT();
  const strong = level === 'serious' || level === 'high';
  const middle = level === 'suspicious' || level === 'medium';
  const label = level in ALERT_LEVEL_KEY ? t(ALERT_LEVEL_KEY[level as AlertLevel]) : t(BASELINE_LEVEL_KEY[level as BaselineLevel]);
  return <Tag color={strong ? DANGER_RED : middle ? TAG_WARN : undefined}>{label}</Tag>;
}

export function StatusTagOf({ status }: { status: AlertStatus }) {
  const t = useT();
  return <Tag color={status === 'pending' ? TAG_WARN : status === 'handled' ? TAG_OK : undefined}>{t(STATUS_KEY[status])}</Tag>;
}

/** The Security Center's sub-pages, in the bar's order: their path under /console/ and title. */
/** The Security Center pages of the route table, the overview titled as its tab. */
export const SAS_PAGES: Array<{ path: string; title: MessageKey }> = ROUTES
  .filter((r) => r.path === 'security-center' || r.path.startsWith('security-center/'))
  .map((r) => ({ path: r.path, title: r.path === 'security-center' ? 'sas.tab.overview' : r.title }));

/** The bar of sub-page links under a Security Center page's title (a navigation landmark of its own). */
export function SasTabs() {
  const t = useT();
  const link = useRegionLink();
  const { pathname } = useLocation();
  // react-router's pathname is below the basename (/console)
  const here = pathname.replace(/^\/+/, '').replace(/\/+$/, '');
  return (
    <nav aria-label={t('sas.tabs')} style={{ borderBottom: '1px solid #f0f0f0', marginBottom: 16, paddingBottom: 8 }}>
      <Space wrap size={[4, 4]}>
        {SAS_PAGES.map((p) => {
          const current = here === p.path;
          return (
            <Link key={p.path} to={link(p.path)} aria-current={current ? 'page' : undefined}
              style={{ padding: '4px 12px', borderRadius: 6, display: 'inline-block', fontWeight: current ? 600 : 400, background: current ? '#e6f4ff' : undefined, color: current ? '#0958d9' : undefined }}>
              {t(p.title)}
            </Link>
          );
        })}
      </Space>
    </nav>
  );
}

/** A Security Center page's frame: the sub-page bar, then the page. */
export function SasSection({ children }: { children: ReactNode }) {
  return <><SasTabs />{children}</>;
}

/**
 * The Security Center's view of the given instances, read once for them all (Criteria: one
 * `instanceId` criterion per instance, OR): a Map from instance id to its asset. Off for an empty
 * page, and when the user may not read the assets (`allowed` false: the caller shows nothing).
 */
export function useAssetsOf(ids: string[]) {
  const allowed = useCapabilities().data?.securityAssets === true;
  const q = useQuery({
    queryKey: [SAS_KEY, 'assetsOf', ids],
    enabled: allowed && ids.length > 0,
    retry: false,
    queryFn: async () => {
      const criteria = JSON.stringify(ids.map((id) => ({ name: 'instanceId', value: id })));
      const r = await call<AssetsPage>('sas', 'DescribeCloudCenterInstances', { Criteria: criteria, LogicalExp: 'OR', PageSize: Math.min(100, Math.max(ids.length, 1)) });
      return new Map(r.Instances.map((a) => [a.InstanceId, a]));
    },
  });
  return { ...q, allowed };
}

/** Every asset of the account (the brute-force rules' and logon settings' instance choices): at most 100. */
export function useAllAssets() {
  return useQuery({
    queryKey: [SAS_KEY, 'assets', 'all'],
    queryFn: async () => (await call<AssetsPage>('sas', 'DescribeCloudCenterInstances', { PageSize: 100 })).Instances,
  });
}

/** ms or text time as the browser's local time. */
export function formatAt(at: number | string | undefined, lang: string): string {
  return formatDate(at, lang);
}
