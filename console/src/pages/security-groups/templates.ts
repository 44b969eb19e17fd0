// The templates of the Create Security Group dialog (SPEC §1.4) and the rules each one writes, shown
// in the dialog before OK. The server decides (Parapet's CreateSecurityGroupFromTemplate,
// src/domain/sg-templates.ts templateRules); this is the same table for the preview: TCP 80, 443
// and 22 (Linux) or 3389 (Windows) and ICMP from 0.0.0.0/0 at priority 100 (1 in an advanced
// group); a classic group's on its internet NIC, with internet egress denied and intranet egress
// allowed; an advanced group also gets the rule that allows all egress.
import type { NetworkType } from './types.ts';

export const TEMPLATES = ['web-server-linux', 'web-server-windows', 'custom'] as const;
export type Template = typeof TEMPLATES[number];

export interface TemplateRule {
  direction: 'ingress' | 'egress';
  policy: 'accept' | 'drop';
  priority: number;
  protocol: 'tcp' | 'icmp' | 'all';
  portRange: string;
  cidr: string;
  /** classic groups only */
  nicType?: 'internet' | 'intranet';
}

const PORTS: Readonly<Record<Template, readonly string[]>> = {
  'web-server-linux': ['80/80', '443/443', '22/22'],
  'web-server-windows': ['80/80', '443/443', '3389/3389'],
  custom: [],
};

export function templateRules(template: Template, networkType: NetworkType, type: 'normal' | 'enterprise'): TemplateRule[] {
  const priority = type === 'enterprise' ? 1 : 100;
  const classic = networkType === 'classic';
  const nic = classic ? { nicType: 'internet' as const } : {};
  const rules: TemplateRule[] = PORTS[template].map((portRange) => ({ direction: 'ingress', policy: 'accept', priority, protocol: 'tcp', portRange, cidr: '0.0.0.0/0', ...nic }));
  if (template !== 'custom') rules.push({ direction: 'ingress', policy: 'accept', priority, protocol: 'icmp', portRange: '-1/-1', cidr: '0.0.0.0/0', ...nic });
  if (classic) {
    rules.push({ direction: 'egress', policy: 'drop', priority, protocol: 'all', portRange: '-1/-1', cidr: '0.0.0.0/0', nicType: 'internet' });
    rules.push({ direction: 'egress', policy: 'accept', priority, protocol: 'all', portRange: '-1/-1', cidr: '0.0.0.0/0', nicType: 'intranet' });
  } else if (type === 'enterprise') {
    rules.push({ direction: 'egress', policy: 'accept', priority, protocol: 'all', portRange: '-1/-1', cidr: '0.0.0.0/0' });
  }
  return rules;
}
