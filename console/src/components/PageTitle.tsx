// A page's heading (the one h1 of the page) and the document title.
import { useEffect, type ReactNode } from 'react';
import { Typography, Space } from 'antd';
import { useT } from '../i18n/index.tsx';

export function PageTitle({ title, extra }: { title: string; extra?: ReactNode }) {
  const t = useT();
  useEffect(() => { document.title = `${title} · ${t('app.name')}`; }, [title, t]);
  return (
    <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} align="center">
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>{title}</Typography.Title>
      {extra}
    </Space>
  );
}
