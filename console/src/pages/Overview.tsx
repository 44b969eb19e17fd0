// /console/ — the region's resources at a glance: how many instances, security groups, key pairs and
// VPCs it has (each list's TotalCount, read with a page of one), each linked to its list.
import { Card, Col, Row, Statistic, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { call, type Product } from '../api.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useT } from '../i18n/index.tsx';
import { useRegion, useRegionLink } from '../region.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';

interface Counted { TotalCount?: number }

const CARDS: Array<{ id: string; title: MessageKey; product: Product; action: string; to?: string }> = [
  { id: 'instances', title: 'overview.instances', product: 'ecs', action: 'DescribeInstances', to: 'instances' },
  { id: 'security-groups', title: 'overview.securityGroups', product: 'ecs', action: 'DescribeSecurityGroups', to: 'security-groups' },
  { id: 'key-pairs', title: 'overview.keyPairs', product: 'ecs', action: 'DescribeKeyPairs', to: 'key-pairs' },
  // the console has no VPC list page: the count only
  { id: 'vpcs', title: 'overview.vpcs', product: 'vpc', action: 'DescribeVpcs' },
];

function CountCard({ card, region }: { card: (typeof CARDS)[number]; region: string }) {
  const t = useT();
  const link = useRegionLink();
  const q = useQuery({
    queryKey: [card.product, card.action, region, 'count'],
    queryFn: () => call<Counted>(card.product, card.action, { RegionId: region, PageSize: 1 }),
  });
  return (
    <Card data-testid={`count-${card.id}`} title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t(card.title)}</Typography.Title>}
      extra={card.to !== undefined ? <Link to={link(card.to)}>{t('common.viewList')}</Link> : undefined}>
      {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} />
        : <Statistic value={q.data?.TotalCount ?? 0} loading={q.isPending} aria-label={t(card.title)} />}
    </Card>
  );
}

export default function Overview() {
  const t = useT();
  const [region] = useRegion();
  return (
    <>
      <PageTitle title={t('overview.title')} />
      <Typography.Paragraph type="secondary">{t('overview.region', { region })}</Typography.Paragraph>
      <Row gutter={[16, 16]}>
        {CARDS.map((c) => (
          <Col key={c.id} xs={24} sm={12} xl={6}><CountCard card={c} region={region} /></Col>
        ))}
      </Row>
    </>
  );
}
