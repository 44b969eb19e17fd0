// One public address in the Anti-DDoS page's drawer: its state and thresholds, its live traffic
// (DescribeCap over the last 5, 15 or 60 minutes, fetched again every 5 s, drawn by the lazily
// loaded TrafficChart) and its events (DescribeDdosEventList for the instance and address, paged
// by the server: type, start, end, peak bit/s and packets/s, status).
import { lazy, Suspense, useState } from 'react';
import { Card, Descriptions, Drawer, Empty, Segmented, Space, Spin, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { call } from '../../api.ts';
import { useT } from '../../i18n/index.tsx';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import {
  DdosStatusTag, ECS, formatBps, formatNumber, formatTime, STATUS_COLOR, useLang,
  type CapAnswer, type DdosAsset, type DdosEvent, type DdosEventsPage, type IpConfig,
} from '../../components/DdosParts.tsx';

const TrafficChart = lazy(() => import('./TrafficChart.tsx'));

const RANGES = [5, 15, 60] as const;
type Range = (typeof RANGES)[number];
/** how often the traffic is fetched again while the drawer is open */
const TRAFFIC_REFRESH_MS = 5000;
/** the newest part of the series the monitor may not have reported yet */
const UNREPORTED_MS = 2000;

function Traffic({ region, asset, ip }: { region: string; asset: DdosAsset; ip: IpConfig }) {
  const t = useT();
  const [minutes, setMinutes] = useState<Range>(5);
  const cap = useQuery({
    queryKey: ['antiddos', 'cap', region, asset.InstanceId, ip.InstanceIp, minutes],
    // the window ends now: each refetch moves it
    queryFn: () => call<CapAnswer>('antiddos', 'DescribeCap', {
      DdosRegionId: region, InstanceType: ECS, InstanceId: asset.InstanceId, InternetIp: ip.InstanceIp, BegTime: Date.now() - minutes * 60_000,
    }),
    refetchInterval: TRAFFIC_REFRESH_MS,
    retry: false,
  });
  // the newest seconds may not be reported yet (the monitor reports about once a second): not drawn as a fall to 0
  const points = (cap.data?.Traffic.Point ?? []).filter((p) => cap.data !== undefined && p.Time <= cap.data.EndTime - UNREPORTED_MS);
  const quiet = cap.isSuccess && points.every((p) => p.BpsIn === 0 && p.BpsOut === 0 && p.PpsIn === 0 && p.PpsOut === 0);
  return (
    <Card size="small" title={<Typography.Title level={3} style={{ fontSize: 15, margin: 0 }}>{t('ddos.traffic')}</Typography.Title>}
      extra={<Segmented<Range> aria-label={t('ddos.range')} size="small" value={minutes} onChange={setMinutes}
        options={RANGES.map((m) => ({ value: m, label: t('ddos.lastMinutes', { n: m }) }))} />}>
      <Typography.Paragraph type="secondary">{t('ddos.trafficHint', { s: TRAFFIC_REFRESH_MS / 1000 })}</Typography.Paragraph>
      {cap.isError ? <ApiErrorAlert error={cap.error} onRetry={() => void cap.refetch()} />
        : cap.isPending ? <Spin /> : (
          <>
            {quiet && <Typography.Paragraph data-testid="traffic-quiet">{t('ddos.noTraffic', { n: minutes })}</Typography.Paragraph>}
            <Suspense fallback={<Spin />}><TrafficChart points={points} /></Suspense>
          </>
        )}
    </Card>
  );
}

function eventStatus(e: DdosEvent, t: ReturnType<typeof useT>, lang: ReturnType<typeof useLang>) {
  if (e.EndTime !== undefined) return <Tag>{e.Released ? t('ddos.event.released') : t('ddos.event.ended')}</Tag>;
  const until = e.DdosType === 'blackhole' && e.UnBlackholeTime !== undefined ? ` · ${t('ddos.until', { time: formatTime(e.UnBlackholeTime, lang) })}` : '';
  return <Tag color={STATUS_COLOR[e.DdosType]}>{t('ddos.event.ongoing')}{until}</Tag>;
}

function Events({ region, asset, ip }: { region: string; asset: DdosAsset; ip: IpConfig }) {
  const t = useT();
  const lang = useLang();
  const [page, setPage] = useState({ number: 1, size: 10 });
  const q = useQuery({
    queryKey: ['antiddos', 'events', region, asset.InstanceId, ip.InstanceIp, page.number, page.size],
    queryFn: () => call<DdosEventsPage>('antiddos', 'DescribeDdosEventList', {
      DdosRegionId: region, InstanceType: ECS, InstanceId: asset.InstanceId, InternetIp: ip.InstanceIp, CurrentPage: page.number, PageSize: page.size,
    }),
    refetchInterval: 15_000,
  });
  const columns: TableColumnsType<DdosEvent> = [
    { title: t('ddos.event.type'), key: 'type', render: (_, e) => <Tag color={STATUS_COLOR[e.DdosType]}>{t(e.DdosType === 'blackhole' ? 'ddos.event.blackhole' : 'ddos.event.defense')}</Tag> },
    { title: t('ddos.event.start'), key: 'start', render: (_, e) => formatTime(e.StartTime, lang) },
    { title: t('ddos.event.end'), key: 'end', render: (_, e) => formatTime(e.EndTime, lang) || '—' },
    { title: t('ddos.event.peakBps'), key: 'bps', align: 'right', render: (_, e) => formatBps(e.PeakBps, lang) },
    { title: t('ddos.event.peakPps'), key: 'pps', align: 'right', render: (_, e) => formatNumber(e.PeakPps, lang) },
    { title: t('ddos.event.status'), key: 'status', render: (_, e) => eventStatus(e, t, lang) },
  ];
  return (
    <Card size="small" title={<Typography.Title level={3} style={{ fontSize: 15, margin: 0 }}>{t('ddos.events')}</Typography.Title>}>
      {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : (
        <Table<DdosEvent> rowKey="EventId" size="small" columns={columns} dataSource={q.data?.DdosEventList.DdosEvent ?? []} loading={q.isPending} data-testid="ddos-events"
          locale={{ emptyText: <Empty description={t('ddos.event.empty')} /> }}
          pagination={{ current: page.number, pageSize: page.size, total: q.data?.Total ?? 0, hideOnSinglePage: true, showSizeChanger: false, onChange: (number, size) => setPage({ number, size }) }} />
      )}
    </Card>
  );
}

export function AddressDrawer({ region, asset, onClose }: { region: string; asset: DdosAsset | undefined; onClose: () => void }) {
  const t = useT();
  const lang = useLang();
  const ip = asset?.IpAddressConfig[0];
  return (
    <Drawer open={asset !== undefined} onClose={onClose} width={880} destroyOnClose
      title={ip !== undefined && asset !== undefined ? t('ddos.drawerTitle', { ip: ip.InstanceIp, id: asset.InstanceId }) : ''}>
      {asset !== undefined && ip !== undefined && (
        <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="address-drawer">
          <Descriptions size="small" column={2} bordered items={[
            { key: 'i', label: t('ddos.instance'), children: `${asset.InstanceId}${asset.InstanceName ? ` (${asset.InstanceName})` : ''}` },
            { key: 's', label: t('ddos.status'), children: <DdosStatusTag status={ip.IpStatus} until={ip.UnBlackholeTime} t={t} /> },
            { key: 'b', label: t('ddos.bpsThreshold'), children: `${formatNumber(ip.DefenseBpsThreshold, lang)} Mbit/s` },
            { key: 'p', label: t('ddos.ppsThreshold'), children: `${formatNumber(ip.DefensePpsThreshold, lang)} pps` },
            { key: 'h', label: t('ddos.blackholeThreshold'), children: `${formatNumber(ip.BlackholeThreshold, lang)} Mbit/s` },
            { key: 'c', label: t('ddos.scrubbing'), children: ip.ScrubbingEnabled ? t('ddos.on') : t('ddos.off') },
          ]} />
          <Traffic region={region} asset={asset} ip={ip} />
          <Events region={region} asset={asset} ip={ip} />
        </Space>
      )}
    </Drawer>
  );
}
