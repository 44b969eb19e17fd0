// The Create Security Group dialog previews a template's rules with its own copy of the table
// (console/src/pages/security-groups/templates.ts: the browser can't import the server's module);
// this keeps the copy equal to what CreateSecurityGroupFromTemplate writes (src/domain/sg-templates.ts)
// for every template, network type and group type. No browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEMPLATES, templateRules } from '../../src/domain/sg-templates.ts';
import { templateRules as previewRules } from '../../console/src/pages/security-groups/templates.ts';

test("the console's template preview is the rules the server writes", () => {
  const shapes = [
    { networkType: 'vpc', type: 'normal' },
    { networkType: 'vpc', type: 'enterprise' },
    { networkType: 'classic', type: 'normal' },
  ] as const;
  let compared = 0;
  for (const template of TEMPLATES) {
    for (const g of shapes) {
      const server = templateRules(template, g).map((r) => ({
        direction: r.direction, policy: r.input.Policy, priority: Number(r.input.Priority), protocol: r.input.IpProtocol,
        portRange: r.input.PortRange, cidr: r.input.SourceCidrIp ?? r.input.DestCidrIp,
        // the preview shows a NIC type for classic groups only (a VPC group's rules cover both)
        ...(g.networkType === 'classic' ? { nicType: r.input.NicType } : {}),
      }));
      assert.deepEqual(previewRules(template, g.networkType, g.type), server, `${template}, ${g.networkType}, ${g.type}`);
      compared += server.length;
    }
  }
  assert.ok(compared >= 20, `rules compared: ${compared}`);
});
