// /console/security-center/vulnerabilities — the vulnerability-style findings: risky services exposed
// to the internet (DescribeSuspEvents EventNames=risky_listener,password_ssh), each with its socket and the group
// and rule that open it; resolved by themselves when the rule or the socket goes.
import { Typography } from 'antd';
import { useT } from '../../i18n/index.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { SasSection } from '../../components/SasParts.tsx';
import { AlertsList } from './AlertsList.tsx';

const KINDS = ['risky_listener', 'password_ssh'];

export default function Vulnerabilities() {
  const t = useT();
  return (
    <>
      <PageTitle title={t('sas.vul.title')} />
      <SasSection>
        <Typography.Paragraph type="secondary">{t('sas.vul.intro')}</Typography.Paragraph>
        <AlertsList kinds={KINDS} vulnerabilities />
      </SasSection>
    </>
  );
}
