// The left navigation (CONSOLE.md "Frame"): Overview · Instances & Images › Instances · Network &
// Security › Security Groups, Key Pairs, Anti-DDoS, Security Center (its
// sub-pages select it) · RAM › Users, Groups, Policies, Roles, Settings · Tools ›
// Explain a flow, Exposure map. Links keep ?region=; the selected item follows the URL.
import { Menu, type MenuProps } from 'antd';
import { Link, useLocation } from 'react-router';
import type { MessageKey } from '../i18n/en.ts';
import { useT } from '../i18n/index.tsx';
import { useRegionLink } from '../region.ts';

type Item = { path: string; label: MessageKey } | { group: string; label: MessageKey; children: Array<{ path: string; label: MessageKey }> };

const NAV: Item[] = [
  { path: '', label: 'nav.overview' },
  { group: 'compute', label: 'nav.instancesImages', children: [{ path: 'instances', label: 'nav.instances' }] },
  { group: 'network', label: 'nav.networkSecurity', children: [
    { path: 'security-groups', label: 'nav.securityGroups' },
    { path: 'key-pairs', label: 'nav.keyPairs' },
    { path: 'anti-ddos', label: 'nav.antiDdos' },
    { path: 'security-center', label: 'nav.securityCenter' },
  ] },
  { group: 'ram', label: 'nav.ram', children: [
    { path: 'ram/users', label: 'nav.ramUsers' },
    { path: 'ram/groups', label: 'nav.ramGroups' },
    { path: 'ram/policies', label: 'nav.ramPolicies' },
    { path: 'ram/roles', label: 'nav.ramRoles' },
    { path: 'ram/settings', label: 'nav.ramSettings' },
  ] },
  { group: 'tools', label: 'nav.tools', children: [
    { path: 'tools/explain', label: 'nav.explain' },
    { path: 'tools/exposure', label: 'nav.exposure' },
  ] },
];

/** The nav entry a location belongs to: the longest entry path that prefixes it (a detail page selects its list). */
function selectedKey(pathname: string): string {
  const rel = pathname.replace(/^\/+/, '').replace(/\/+$/, '');
  let best = '';
  for (const item of NAV) {
    for (const leaf of 'group' in item ? item.children : [item]) {
      if (leaf.path !== '' && (rel === leaf.path || rel.startsWith(leaf.path + '/')) && leaf.path.length > best.length) best = leaf.path;
    }
  }
  return best === '' ? '/' : best;
}

export function SideNav() {
  const t = useT();
  const link = useRegionLink();
  const { pathname } = useLocation();
  const items: MenuProps['items'] = NAV.map((item) => 'group' in item
    ? { type: 'group' as const, key: item.group, label: t(item.label), children: item.children.map((c) => ({ key: c.path, label: <Link to={link(c.path)}>{t(c.label)}</Link> })) }
    : { key: '/', label: <Link to={link(item.path)}>{t(item.label)}</Link> });
  return (
    <nav aria-label={t('nav.label')}>
      <Menu mode="inline" selectedKeys={[selectedKey(pathname)]} items={items} style={{ borderInlineEnd: 'none' }} />
    </nav>
  );
}
