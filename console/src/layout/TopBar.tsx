// The top bar (CONSOLE.md "Frame"): product name, the region selector (DescribeRegions; the choice is
// ?region= in the URL), the Security Center's notifications (the pending alerts, linked to the alerts
// page; shown only when GET /console/api/capabilities says the user may read them, and an error
// leaves the frame as it is), the
// signed-in identity (user@account), the language switch and sign-out.
import { Badge, Button, Select, Space, Typography } from 'antd';
import { BellOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { call, signOut } from '../api.ts';
import { useCapabilities } from '../capabilities.ts';
import { useI18n, type Lang } from '../i18n/index.tsx';
import { useRegion, useRegionLink } from '../region.ts';
import { useSession } from '../session.tsx';

interface Regions { Regions: { Region: Array<{ RegionId: string; LocalName?: string }> } }

/** the alert kinds of the alerts page (the vulnerability-style findings have their own page) */
const ALERT_KINDS = 'brute_force,login_after_brute_force,unusual_logon';

/** The bell: the count of pending alerts (DescribeSuspEvents, one row asked), refreshed each minute. */
function Notifications() {
  const { t } = useI18n();
  const link = useRegionLink();
  // asked first, so a user who may not read the alerts is never refused on every page
  const may = useCapabilities();
  const pending = useQuery({
    queryKey: ['sas', 'pendingCount'],
    enabled: may.data?.securityAlerts === true,
    queryFn: async () => (await call<{ TotalCount: number }>('sas', 'DescribeSuspEvents', { Status: 'pending', EventNames: ALERT_KINDS, PageSize: 1 })).TotalCount,
    refetchInterval: 60_000,
    retry: false,
  });
  // not allowed, or any error: no bell, the frame stays usable
  if (may.data?.securityAlerts !== true || pending.data === undefined) return null;
  const label = t('top.alerts', { n: pending.data });
  return (
    <Link to={link('security-center/alerts')} aria-label={label} title={label} data-testid="top-alerts" style={{ display: 'inline-flex', alignItems: 'center' }}>
      <Badge count={pending.data} size="small" style={{ backgroundColor: '#a8071a', boxShadow: 'none' }}>
        <BellOutlined aria-hidden style={{ color: '#fff', fontSize: 18 }} />
      </Badge>
    </Link>
  );
}

export function TopBar() {
  const { t, lang, setLang } = useI18n();
  const [region, setRegion] = useRegion();
  const session = useSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const regions = useQuery({
    queryKey: ['ecs', 'DescribeRegions', lang],
    queryFn: () => call<Regions>('ecs', 'DescribeRegions', { AcceptLanguage: lang === 'zh' ? 'zh-CN' : 'en-US' }),
    staleTime: Infinity,
  });
  const options = (regions.data?.Regions.Region ?? [{ RegionId: region }]).map((r) => ({
    value: r.RegionId,
    label: r.LocalName !== undefined && r.LocalName !== r.RegionId ? `${r.LocalName} (${r.RegionId})` : r.RegionId,
  }));
  const doSignOut = async () => {
    try { await signOut(); } finally {
      qc.clear();
      await navigate('/signin', { replace: true });
    }
  };
  return (
    <div style={{ display: 'flex', alignItems: 'center', gap: 16, height: '100%' }}>
      <Typography.Text strong style={{ color: '#fff', fontSize: 16, whiteSpace: 'nowrap' }}>
        {t('app.name')} {t('app.console')}
      </Typography.Text>
      <Select aria-label={t('top.region')} data-testid="region-select" value={region} onChange={setRegion}
        options={options} loading={regions.isPending} style={{ minWidth: 220 }} popupMatchSelectWidth={false} />
      <div style={{ flex: 1 }} />
      <Space size="middle">
        {session.data && <Notifications />}
        {session.data && (
          <span style={{ color: '#fff' }} title={t('top.identity', { name: session.data.identity.display })} data-testid="identity">
            <UserOutlined aria-hidden /> {session.data.identity.display}
          </span>
        )}
        <Select<Lang> aria-label={t('top.language')} data-testid="lang-select" value={lang} onChange={setLang} style={{ width: 110 }}
          options={[{ value: 'en', label: 'English' }, { value: 'zh', label: '简体中文' }]} />
        <Button icon={<LogoutOutlined />} onClick={() => void doSignOut()}>{t('top.signOut')}</Button>
      </Space>
    </div>
  );
}
