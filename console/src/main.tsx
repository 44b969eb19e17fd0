// The console's entry: antd's theme and locale (en_US / zh_CN following the chosen language), its
// animations (off for a visitor who asks for reduced motion), the TanStack Query client for server
// state, the i18n provider and the router.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// antd's component styles for THEME, rendered at build time (vite.config.ts), before the reset as antd
// puts its own at the head's start
import 'virtual:antd-styles.css';
// antd's small reset (body margin, box sizing), which antd 5 leaves to the app
import 'antd/dist/reset.css';
import { App as AntApp, ConfigProvider } from 'antd';
import { Provider as MotionProvider } from 'rc-motion';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from 'react-router/dom';
import { I18nProvider, useI18n } from './i18n/index.tsx';
import { ApiError, sessionInPage } from './api.ts';
import { SESSION_KEY } from './session.tsx';
import { makeRouter } from './routes.tsx';
import { THEME } from './theme.ts';
import { useReducedMotion } from './reduced-motion.ts';

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

// the session the page came with: the frame and the route's first data need no round trip for it
const inPage = sessionInPage();
if (inPage !== undefined) queryClient.setQueryData(SESSION_KEY, inPage);
// made before the first render: the route's loader then asks for its page's first data while React
// renders the frame, not after
const router = makeRouter(queryClient);

function Root() {
  const { lang } = useI18n();
  // animations off when the visitor asks for reduced motion (see reduced-motion.ts)
  const reduced = useReducedMotion();
  return (
    <MotionProvider motion={!reduced}>
      <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={THEME}>
        <AntApp>
          <RouterProvider router={router} />
        </AntApp>
      </ConfigProvider>
    </MotionProvider>
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
