// The warning under a rule being written: an authorization object of 0.0.0.0/0 or ::/0 on a risky
// port (SSH, RDP, databases: the engine's high risk) is a warning naming the services; everyone on
// any other port is the guide's note to evaluate the risk (medium). Inbound rules only: the exposure
// the engine rates is what the internet can reach.
import { Alert } from 'antd';
import { useT } from '../../../i18n/index.tsx';
import { isOpenToAll, riskOf } from './risk.ts';

export function RiskWarning({ protocol, ranges, objects }: { protocol: string; ranges: string[]; objects: string[] }) {
  const t = useT();
  let high: string[] = [];
  let medium = false;
  for (const range of ranges) for (const o of objects) {
    const r = riskOf(protocol, range, o);
    if (r.level === 'high') high = [...new Set([...high, ...r.services])];
    else if (r.level === 'medium' && isOpenToAll(o)) medium = true;
  }
  if (high.length > 0) {
    return <Alert type="warning" showIcon data-testid="risk-warning" message={t('sgRules.riskHigh')} description={t('sgRules.riskHighText', { services: high.join(', ') })} style={{ marginBottom: 12 }} />;
  }
  if (medium) return <Alert type="info" showIcon data-testid="risk-note" message={t('sgRules.riskMedium')} style={{ marginBottom: 12 }} />;
  return null;
}
