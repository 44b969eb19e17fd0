// /console/security-center/alerts — the logon alerts (brute force, a logon after it, unusual logons):
// AlertsList over those kinds. `?instance=i-…` filters on one instance (the Instances list links so).
import { useT } from '../../i18n/index.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { SasSection } from '../../components/SasParts.tsx';
import { Typography } from 'antd';
import { AlertsList } from './AlertsList.tsx';

const KINDS = ['brute_force', 'login_after_brute_force', 'unusual_logon'];

export default function Alerts() {
  const t = useT();
  return (
    <>
      <PageTitle title={t('sas.al.title')} />
      <SasSection>
        <Typography.Paragraph type="secondary">{t('sas.al.intro')}</Typography.Paragraph>
        <AlertsList kinds={KINDS} vulnerabilities={false} />
      </SasSection>
    </>
  );
}
