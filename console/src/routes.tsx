// The console's routes (the contract's list, route-table.ts), each page its own lazily loaded
// chunk so the first load carries only the frame and the page asked for. /signin is outside the
// frame and the session guard; everything else needs a signed-in session.
// A route may have a preload (PRELOADS): its page's first data, asked for by the route's loader as
// soon as a navigation (the first load too) reaches it and the session is known, in parallel with
// the page's chunk and before it renders, so the page renders once, with its data, instead of
// rendering a spinner and then asking. Preloads live outside the pages' chunks so that they need
// not wait for them.
import { lazy, Suspense, type ComponentType } from 'react';
import { Spin } from 'antd';
import type { QueryClient } from '@tanstack/react-query';
import { createBrowserRouter, type Params, type RouteObject } from 'react-router';
import { ROUTES, type RoutePath } from './route-table.ts';
import { Frame } from './layout/Frame.tsx';
import { RequireSession, signedInSession } from './session.tsx';
import { preloadGroup, preloadList } from './pages/security-groups/preload.ts';

/** A page's first data for the URL (query keys exactly as the page's own queries); never throws. */
export type Preload = (qc: QueryClient, url: URL, params: Params) => Promise<unknown>;

interface PageModule { default: ComponentType }

/** The routes whose pages have first data to ask for. */
const PRELOADS: Partial<Record<RoutePath, Preload>> = {
  'security-groups': preloadList,
  'security-groups/:id': preloadGroup,
};

/** One page file per route (console/src/pages/); a route missing here fails the type check. */
const LOADERS: Record<RoutePath, () => Promise<PageModule>> = {
  '': () => import('./pages/Overview.tsx'),
  'instances': () => import('./pages/Instances.tsx'),
  'instances/:id': () => import('./pages/InstanceDetail.tsx'),
  'security-groups': () => import('./pages/SecurityGroups.tsx'),
  'security-groups/:id': () => import('./pages/SecurityGroupRules.tsx'),
  'key-pairs': () => import('./pages/KeyPairs.tsx'),
  'anti-ddos': () => import('./pages/AntiDdos.tsx'),
  'security-center': () => import('./pages/SecurityCenter.tsx'),
  'security-center/alerts': () => import('./pages/security-center/Alerts.tsx'),
  'security-center/vulnerabilities': () => import('./pages/security-center/Vulnerabilities.tsx'),
  'security-center/baseline': () => import('./pages/security-center/Baseline.tsx'),
  'security-center/logon': () => import('./pages/security-center/Logon.tsx'),
  'security-center/brute-force': () => import('./pages/security-center/BruteForce.tsx'),
  'security-center/notifications': () => import('./pages/security-center/Notifications.tsx'),
  'security-center/inbox': () => import('./pages/security-center/Inbox.tsx'),
  'ram/users': () => import('./pages/RamUsers.tsx'),
  'ram/users/:name': () => import('./pages/RamUserDetail.tsx'),
  'ram/groups': () => import('./pages/RamGroups.tsx'),
  'ram/policies': () => import('./pages/RamPolicies.tsx'),
  'ram/policies/:type/:name': () => import('./pages/RamPolicyDetail.tsx'),
  'ram/roles': () => import('./pages/RamRoles.tsx'),
  'ram/settings': () => import('./pages/RamSettings.tsx'),
  'tools/explain': () => import('./pages/ToolsExplain.tsx'),
  'tools/exposure': () => import('./pages/ToolsExposure.tsx'),
};

const SignIn = lazy(() => import('./pages/SignIn.tsx'));
const NotFound = lazy(() => import('./pages/NotFound.tsx'));

/** The route's page, loaded before the router renders it: the frame and the page then render and paint together, once. */
function lazyPage(path: RoutePath) {
  return async () => ({ Component: (await LOADERS[path]()).default });
}

/**
 * The route's loader: once the session is signed in (known at once when the page came with it, else
 * asked for at the same time), the route's preload, while the page's chunk loads. Answers at once:
 * nothing waits for it, and a failed preload only leaves the page to ask for itself.
 */
function preloading(qc: QueryClient, path: RoutePath) {
  return ({ request, params }: { request: Request; params: Params }): null => {
    const url = new URL(request.url);
    const preload = PRELOADS[path];
    if (preload !== undefined) void signedInSession(qc).then((signedIn) => (signedIn ? preload(qc, url, params) : undefined)).catch(() => undefined);
    return null;
  };
}

/** A page preloads when the navigation reaches it, not when its own query string changes (a tab, a filter): the page asks for those itself. */
function anotherPage({ currentUrl, nextUrl }: { currentUrl: URL; nextUrl: URL }): boolean {
  return currentUrl.pathname !== nextUrl.pathname;
}

function routes(qc: QueryClient): RouteObject[] {
  return [
    { path: 'signin', element: <Suspense fallback={<Spin fullscreen />}><SignIn /></Suspense> },
    {
      element: <RequireSession><Frame /></RequireSession>,
      // while the first page's chunk loads
      hydrateFallbackElement: <Spin fullscreen />,
      children: [
        ...ROUTES.map((r): RouteObject => (r.path === ''
          ? { index: true, lazy: lazyPage(''), loader: preloading(qc, ''), shouldRevalidate: anotherPage }
          : { path: r.path, lazy: lazyPage(r.path), loader: preloading(qc, r.path), shouldRevalidate: anotherPage })),
        { path: '*', element: <NotFound /> },
      ],
    },
  ];
}

export function makeRouter(qc: QueryClient) {
  return createBrowserRouter(routes(qc), { basename: '/console' });
}
