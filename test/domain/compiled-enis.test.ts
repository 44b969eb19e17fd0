import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFor } from '../../src/domain/compiled-enis.ts';
import type { FwGroup, FwRule } from '../../src/engine/firewall/index.ts';

const rule = (groupId: string, ruleId: string, port: number): FwRule => ({
  groupId, ruleId, direction: 'ingress', protocol: 'tcp', portFrom: port, portTo: port, srcPortFrom: 1, srcPortTo: 65535,
  policy: 'accept', priority: 1, nicType: 'intranet', peer: { kind: 'cidr', range: { base: 0, size: 2 ** 32 } },
});
const group = (id: string, rules: FwRule[]): FwGroup => ({ groupId: id, type: 'normal', innerAccessPolicy: 'Accept', rules });

test('a change recompiles only the ENIs whose groups it touches', () => {
  const a = group('sg-a', [rule('sg-a', 'r1', 22)]);
  const b = group('sg-b', [rule('sg-b', 'r2', 80)]);
  const eni1 = compileFor([a]);
  const eni2 = compileFor([b]);
  assert.equal(compileFor([group('sg-a', [rule('sg-a', 'r1', 22)])]), eni1, 'same content, same compiled set');
  const changedA = group('sg-a', [rule('sg-a', 'r1', 23)]);
  assert.notEqual(compileFor([changedA]), eni1, 'a modified rule recompiles');
  assert.equal(compileFor([b]), eni2, 'an ENI outside the change keeps its compiled set');
  assert.notEqual(compileFor([a, b]), compileFor([a]), 'membership is part of the key');
});
