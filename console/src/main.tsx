// The console's entry: antd's theme and locale (en_US / zh_CN following the chosen language), the
// TanStack Query client for server state, the i18n provider and the router.
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
// antd's small reset (body margin, box sizing), which antd 5 leaves to the app
import 'antd/dist/reset.css';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from 'react-router/dom';
import { I18nProvider, useI18n } from './i18n/index.tsx';
import { ApiError } from './api.ts';
import { makeRouter } from './routes.tsx';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // an API refusal (4xx) answers the same when asked again; only transport errors and 5xx retry once
      retry: (count, error) => count < 1 && !(error instanceof ApiError && error.status < 500),
      refetchOnWindowFocus: false,
      staleTime: 10_000,
    },
  },
});

// Alibaba-like orange, dark enough for white text on buttons; links a darker blue than antd's
// (#1677ff is 4.0:1 on white); secondary and tertiary text darker
// than antd's defaults (45% and 25% black), which fail WCAG AA contrast (axe: color-contrast) on the
// menu's group titles and secondary paragraphs
// Hover and active shades are darker than the base, not lighter as antd derives them, so a hovered
// button or link keeps AA contrast too. The error red and disabled text are darker than antd's
// (#ff4d4f and 25% black are below 4.5:1 on white), for the whole console: a nested theme for
// some pages would make antd generate every component's styles again for them.
const THEME = {
  token: { colorPrimary: '#c2410c', colorPrimaryHover: '#9a3412', colorPrimaryActive: '#7c2d12', colorLink: '#0958d9', colorLinkHover: '#003eb3', colorLinkActive: '#002c8c', borderRadius: 4, colorTextDescription: 'rgba(0, 0, 0, 0.65)', colorTextTertiary: 'rgba(0, 0, 0, 0.6)', colorError: '#cf1322', colorErrorHover: '#a8071a', colorErrorActive: '#820014', colorTextDisabled: 'rgba(0, 0, 0, 0.56)' },
};

function Root() {
  const { lang } = useI18n();
  const [router] = useState(() => makeRouter(queryClient));
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={THEME}>
      <AntApp>
        <RouterProvider router={router} />
      </AntApp>
    </ConfigProvider>
  );
}

const el = document.getElementById('root');
if (el === null) throw new Error('index.html has no #root');
createRoot(el).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <Root />
      </I18nProvider>
    </QueryClientProvider>
  </StrictMode>,
);
