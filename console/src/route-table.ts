// Every page of the console (the contract's route list), as data: its path under /console/, the
// i18n key of its title, and a sample path with made-up ids for routes with parameters (the
// screenshot tour visits it). routes.tsx gives each one its page component; the left navigation and
// bench/console-tour.ts read this table too. No JSX here, so Node scripts can import it.
import type { MessageKey } from './i18n/en.ts';

export interface RouteDef {
  /** react-router path relative to /console/ ('' is the overview) */
  path: string;
  title: MessageKey;
  /** a path to visit in the tour for a route with parameters; `{sg}`, `{instance}`, `{user}` are filled by the tour */
  sample?: string;
}

export const ROUTES = [
  { path: '', title: 'nav.overview' },
  { path: 'instances', title: 'nav.instances' },
  { path: 'instances/:id', title: 'route.instanceDetail', sample: 'instances/{instance}' },
  { path: 'security-groups', title: 'nav.securityGroups' },
  { path: 'security-groups/:id', title: 'route.securityGroupRules', sample: 'security-groups/{sg}' },
  { path: 'key-pairs', title: 'nav.keyPairs' },
  { path: 'anti-ddos', title: 'nav.antiDdos' },
  { path: 'security-center', title: 'nav.securityCenter' },
  { path: 'security-center/alerts', title: 'sas.tab.alerts' },
  { path: 'security-center/vulnerabilities', title: 'sas.tab.vulnerabilities' },
  { path: 'security-center/baseline', title: 'sas.tab.baseline' },
  { path: 'security-center/logon', title: 'sas.tab.logon' },
  { path: 'security-center/brute-force', title: 'sas.tab.bruteForce' },
  { path: 'security-center/notifications', title: 'sas.tab.notifications' },
  { path: 'security-center/inbox', title: 'sas.tab.inbox' },
  { path: 'ram/users', title: 'nav.ramUsers' },
  { path: 'ram/users/:name', title: 'route.ramUserDetail', sample: 'ram/users/{user}' },
  { path: 'ram/groups', title: 'nav.ramGroups' },
  { path: 'ram/policies', title: 'nav.ramPolicies' },
  { path: 'ram/policies/:type/:name', title: 'route.ramPolicyDetail', sample: 'ram/policies/System/AliyunECSReadOnlyAccess' },
  { path: 'ram/roles', title: 'nav.ramRoles' },
  { path: 'ram/settings', title: 'nav.ramSettings' },
  { path: 'tools/explain', title: 'nav.explain' },
  { path: 'tools/exposure', title: 'nav.exposure' },
] as const satisfies readonly RouteDef[];

export type RoutePath = (typeof ROUTES)[number]['path'];
