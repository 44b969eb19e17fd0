// /console/security-center/inbox — the inbox notifications (Parapet's DescribeSecurityMessages,
// newest first, paged): one message per alert the inbox method carries; the alert is in its body.
import { useState } from 'react';
import { Card, Empty, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { call } from '../../api.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useRegionLink } from '../../region.ts';
import { PageTitle } from '../../components/PageTitle.tsx';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { LevelTag, PARAPET, SAS_KEY, SasSection, formatAt, type AlertLevel } from '../../components/SasParts.tsx';

interface Message { Id: number; AlertId: number; Level: AlertLevel; Title: string; Body: string; CreateTime: string }

function instanceOf(body: string): string {
  try { const o = JSON.parse(body) as { instanceId?: unknown }; return typeof o.instanceId === 'string' ? o.instanceId : ''; } catch { return ''; }
}

export default function Inbox() {
  const { t, lang } = useI18n();
  const link = useRegionLink();
  const [page, setPage] = useState({ number: 1, size: 20 });
  const q = useQuery({
    queryKey: [SAS_KEY, 'inbox', page.number, page.size],
    queryFn: () => call<{ Messages: Message[]; TotalCount: number }>('parapet', 'DescribeSecurityMessages', { PageNumber: page.number, PageSize: page.size }, PARAPET),
  });
  const columns: TableColumnsType<Message> = [
    { title: t('sas.inbox.time'), key: 'time', render: (_, m) => formatAt(m.CreateTime, lang) },
    { title: t('sas.al.level'), key: 'level', render: (_, m) => <LevelTag level={m.Level} /> },
    { title: t('sas.inbox.subject'), dataIndex: 'Title' },
    {
      title: t('sas.al.instance'), key: 'instance', render: (_, m) => {
        const id = instanceOf(m.Body);
        return id === '' ? '—' : <Link to={link(`security-center/alerts?instance=${encodeURIComponent(id)}`)}>{id}</Link>;
      },
    },
  ];
  return (
    <>
      <PageTitle title={t('sas.inbox.title')} />
      <SasSection>
        <Typography.Paragraph type="secondary">{t('sas.inbox.intro')}</Typography.Paragraph>
        <Card size="small">
          {q.isError ? <ApiErrorAlert error={q.error} onRetry={() => void q.refetch()} /> : (
            <Table<Message> rowKey="Id" size="middle" columns={columns} dataSource={q.data?.Messages ?? []} loading={q.isPending} data-testid="sas-inbox"
              locale={{ emptyText: <Empty description={<span>{t('sas.inbox.empty')} <Link to={link('security-center/notifications')}>{t('sas.tab.notifications')}</Link></span>} /> }}
              pagination={{ current: page.number, pageSize: page.size, total: q.data?.TotalCount ?? 0, hideOnSinglePage: true, onChange: (number, size) => setPage({ number, size }) }} />
          )}
        </Card>
      </SasSection>
    </>
  );
}
