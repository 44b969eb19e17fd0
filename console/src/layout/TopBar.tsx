// The top bar (CONSOLE.md "Frame"): product name, the region selector (DescribeRegions; the choice is
// ?region= in the URL), the signed-in identity (user@account), the language switch and sign-out.
import { Button, Select, Space, Typography } from 'antd';
import { LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { call, signOut } from '../api.ts';
import { useI18n, type Lang } from '../i18n/index.tsx';
import { useRegion } from '../region.ts';
import { useSession } from '../session.tsx';

interface Regions { Regions: { Region: Array<{ RegionId: string; LocalName?: string }> } }

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
