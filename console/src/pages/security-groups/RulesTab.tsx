// PLACEHOLDER (security-group list engineer): the Rules tab of /console/security-groups/:id. The
// rules engineer replaces this file with the real tab; the detail page renders <RulesTab group={…}/>.
import { Empty } from 'antd';
import { useT } from '../../i18n/index.tsx';
import type { SecurityGroupInfo } from './types.ts';

export default function RulesTab({ group }: { group: SecurityGroupInfo }) {
  const t = useT();
  return <Empty description={t('common.notBuilt')} data-testid={`rules-${group.securityGroupId}`} />;
}
