// Any /console/ path that is no page: a 404 result with a way back.
import { Button, Result } from 'antd';
import { useNavigate } from 'react-router';
import { useT } from '../i18n/index.tsx';
import { useRegionLink } from '../region.ts';

export default function NotFound() {
  const t = useT();
  const link = useRegionLink();
  const navigate = useNavigate();
  return (
    <Result status="404" title={t('route.notFound')} subTitle={t('route.notFoundText')}
      extra={<Button type="primary" onClick={() => void navigate(link(''))}>{t('route.backToOverview')}</Button>} />
  );
}
