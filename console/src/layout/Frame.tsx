// The frame of every signed-in page: top bar, left navigation, and the page (router Outlet) in the
// content area, with a spinner while a page's chunk loads.
import { Suspense } from 'react';
import { Layout, Spin } from 'antd';
import { Outlet } from 'react-router';
import { useT } from '../i18n/index.tsx';
import { TopBar } from './TopBar.tsx';
import { SideNav } from './SideNav.tsx';

export function Frame() {
  const t = useT();
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ paddingInline: 16, background: '#1f2937' }}>
        <TopBar />
      </Layout.Header>
      <Layout>
        <Layout.Sider width={220} theme="light" breakpoint="lg" collapsedWidth={0}>
          <SideNav />
        </Layout.Sider>
        <Layout.Content style={{ padding: 24 }}>
          <Suspense fallback={<Spin tip={t('common.loading')}><div style={{ minHeight: 200 }} /></Spin>}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
