// The console's routes (the contract's list, route-table.ts), each page its own lazily loaded
// chunk so the first load carries only the frame and the page asked for. /signin is outside the
// frame and the session guard; everything else needs a signed-in session.
import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from 'react';
import { Spin } from 'antd';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { ROUTES, type RoutePath } from './route-table.ts';
import { Frame } from './layout/Frame.tsx';
import { RequireSession } from './session.tsx';

type Page = LazyExoticComponent<ComponentType>;

/** One page file per route (console/src/pages/); a route missing here fails the type check. */
const PAGES: Record<RoutePath, Page> = {
  '': lazy(() => import('./pages/Overview.tsx')),
  'instances': lazy(() => import('./pages/Instances.tsx')),
  'instances/:id': lazy(() => import('./pages/InstanceDetail.tsx')),
  'security-groups': lazy(() => import('./pages/SecurityGroups.tsx')),
  'security-groups/:id': lazy(() => import('./pages/SecurityGroupRules.tsx')),
  'key-pairs': lazy(() => import('./pages/KeyPairs.tsx')),
  'anti-ddos': lazy(() => import('./pages/AntiDdos.tsx')),
  'security-center': lazy(() => import('./pages/SecurityCenter.tsx')),
  'security-center/alerts': lazy(() => import('./pages/security-center/Alerts.tsx')),
  'security-center/vulnerabilities': lazy(() => import('./pages/security-center/Vulnerabilities.tsx')),
  'security-center/baseline': lazy(() => import('./pages/security-center/Baseline.tsx')),
  'security-center/logon': lazy(() => import('./pages/security-center/Logon.tsx')),
  'security-center/brute-force': lazy(() => import('./pages/security-center/BruteForce.tsx')),
  'security-center/notifications': lazy(() => import('./pages/security-center/Notifications.tsx')),
  'security-center/inbox': lazy(() => import('./pages/security-center/Inbox.tsx')),
  'ram/users': lazy(() => import('./pages/RamUsers.tsx')),
  'ram/users/:name': lazy(() => import('./pages/RamUserDetail.tsx')),
  'ram/groups': lazy(() => import('./pages/RamGroups.tsx')),
  'ram/policies': lazy(() => import('./pages/RamPolicies.tsx')),
  'ram/policies/:type/:name': lazy(() => import('./pages/RamPolicyDetail.tsx')),
  'ram/roles': lazy(() => import('./pages/RamRoles.tsx')),
  'ram/settings': lazy(() => import('./pages/RamSettings.tsx')),
  'tools/explain': lazy(() => import('./pages/ToolsExplain.tsx')),
  'tools/exposure': lazy(() => import('./pages/ToolsExposure.tsx')),
};

const SignIn = lazy(() => import('./pages/SignIn.tsx'));
const NotFound = lazy(() => import('./pages/NotFound.tsx'));

function page(P: Page) {
  return <P />;
}

const routes: RouteObject[] = [
  { path: 'signin', element: <Suspense fallback={<Spin fullscreen />}><SignIn /></Suspense> },
  {
    element: <RequireSession><Frame /></RequireSession>,
    children: [
      ...ROUTES.map((r): RouteObject => (r.path === '' ? { index: true, element: page(PAGES['']) } : { path: r.path, element: page(PAGES[r.path]) })),
      { path: '*', element: <NotFound /> },
    ],
  },
];

export function makeRouter() {
  return createBrowserRouter(routes, { basename: '/console' });
}
