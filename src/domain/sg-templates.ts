// CreateSecurityGroupFromTemplate: a group made the way the console makes it (SPEC §1.4). The
// templates open, to everyone (0.0.0.0/0):
// - `web-server-linux`: TCP 80, 443 and 22, and ICMP;
// - `web-server-windows`: TCP 80, 443 and 3389, and ICMP;
// - `custom`: nothing.
// A VPC group's rules govern internal and internet traffic alike (NicType intranet). A classic
// group gets the template's ports on its internet NIC, internet egress denied and intranet egress
// allowed (intranet ingress is denied by the default). An advanced group also gets the rule that
// allows all egress, which the console adds and the API does not (SPEC §1.1). Rules are at priority
// 100, the default group's, so a rule the user adds later (priority 1 by default) overrides them;
// an advanced group's are at 1, the only priority it has. The group and its rules are written in
// one transaction through the rule gate (security-groups.ts createSecurityGroup).
import type { CallContext } from './context.ts';
import { apiError } from './errors.ts';
import { type GroupType, type InitialRule, type NewGroupParams, createSecurityGroup } from './security-groups.ts';

export const TEMPLATES = ['web-server-linux', 'web-server-windows', 'custom'] as const;
export type Template = typeof TEMPLATES[number];

const PORTS: Readonly<Record<Template, readonly string[]>> = {
  'web-server-linux': ['80/80', '443/443', '22/22'],
  'web-server-windows': ['80/80', '443/443', '3389/3389'],
  custom: [],
};

const EVERYONE = '0.0.0.0/0';

/** The rules a group made from `template` starts with. */
export function templateRules(template: Template, g: { networkType: 'vpc' | 'classic'; type: GroupType }): InitialRule[] {
  const advanced = g.type === 'enterprise';
  const priority = advanced ? '1' : '100';
  const inbound = g.networkType === 'classic' ? 'internet' : 'intranet';
  const rules: InitialRule[] = [];
  const ingress = (IpProtocol: string, PortRange: string) => rules.push({
    direction: 'ingress', input: { IpProtocol, PortRange, SourceCidrIp: EVERYONE, Policy: 'accept', Priority: priority, NicType: inbound },
  });
  for (const ports of PORTS[template]) ingress('tcp', ports);
  if (template !== 'custom') ingress('icmp', '-1/-1');
  if (g.networkType === 'classic') {
    rules.push({ direction: 'egress', input: { IpProtocol: 'all', PortRange: '-1/-1', DestCidrIp: EVERYONE, Policy: 'drop', Priority: priority, NicType: 'internet' } });
    rules.push({ direction: 'egress', input: { IpProtocol: 'all', PortRange: '-1/-1', DestCidrIp: EVERYONE, Policy: 'accept', Priority: priority, NicType: 'intranet' } });
  } else if (advanced) {
    rules.push({ direction: 'egress', input: { IpProtocol: 'all', PortRange: '-1/-1', DestCidrIp: EVERYONE, Policy: 'accept', Priority: priority, NicType: 'intranet' } });
  }
  return rules;
}

export function checkTemplate(value: string): Template {
  const t = TEMPLATES.find((x) => x === value);
  if (t === undefined) throw apiError('InvalidParameter', { name: 'Template', value, why: `Templates: ${TEMPLATES.join(', ')}.` });
  return t;
}

export async function createSecurityGroupFromTemplate(ctx: CallContext, p: NewGroupParams & { template: string }): Promise<{ securityGroupId: string; ruleCount: number }> {
  const template = checkTemplate(p.template);
  return createSecurityGroup(ctx, p, (g) => templateRules(template, g));
}
