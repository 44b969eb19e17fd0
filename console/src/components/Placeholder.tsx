// PLACEHOLDER page body for routes whose page is not built yet: the route's title and an empty
// state. Page engineers replace the page file's use of it with the real page.
import { Empty } from 'antd';
import type { MessageKey } from '../i18n/en.ts';
import { useT } from '../i18n/index.tsx';
import { PageTitle } from './PageTitle.tsx';

export function Placeholder({ title }: { title: MessageKey }) {
  const t = useT();
  return (
    <>
      <PageTitle title={t(title)} />
      <Empty description={t('common.notBuilt')} />
    </>
  );
}
