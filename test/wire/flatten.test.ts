import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unflatten } from '../../src/wire/flatten.ts';

test('lists of objects, lists of scalars and nested objects', () => {
  const tree = unflatten([
    ['Permissions.1.IpProtocol', 'TCP'], ['Permissions.2.SourceGroupId', 'sg-2'], ['Permissions.1.PortRange', '22/22'],
    ['SecurityGroupIds.1', 'sg-a'], ['SecurityGroupIds.2', 'sg-b'], ['SystemDisk.Category', 'cloud_essd'],
    ['NetworkInterface.1.SecurityGroupIds.2', 'sg-4'], ['RegionId', 'cn-hangzhou'],
  ]);
  assert.deepEqual(tree, {
    Permissions: [{ IpProtocol: 'TCP', PortRange: '22/22' }, { SourceGroupId: 'sg-2' }],
    SecurityGroupIds: ['sg-a', 'sg-b'],
    SystemDisk: { Category: 'cloud_essd' },
    NetworkInterface: [{ SecurityGroupIds: ['sg-4'] }],
    RegionId: 'cn-hangzhou',
  });
});

test('gaps in indexes close up', () => {
  assert.deepEqual(unflatten([['Tag.1.Key', 'a'], ['Tag.3.Key', 'c']]), { Tag: [{ Key: 'a' }, { Key: 'c' }] });
});

test('conflicts, duplicates, huge indexes and prototype keys are refused with InvalidParameter', () => {
  const bad: Array<Array<[string, string]>> = [
    [['A', 'x'], ['A.1', 'y']],
    [['A.1', 'y'], ['A', 'x']],
    [['A.B', 'x'], ['A.1', 'y']],
    [['A', 'x'], ['A', 'y']],
    [['A.100000', 'x']],
    [['__proto__.x', 'y']],
    [['A..B', 'x']],
    [['A.0', 'x']],
  ];
  for (const pairs of bad) {
    assert.throws(() => unflatten(pairs), (e: { code?: string }) => e.code === 'InvalidParameter', JSON.stringify(pairs));
  }
});
