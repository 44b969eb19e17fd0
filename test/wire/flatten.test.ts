import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unflatten } from '../../src/wire/flatten.ts';

/** The tree as plain JSON (the tree's objects have null prototypes). */
const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

test('lists of objects, lists of scalars and nested objects', () => {
  const tree = plain(unflatten([
    ['Permissions.1.IpProtocol', 'TCP'], ['Permissions.2.SourceGroupId', 'sg-2'], ['Permissions.1.PortRange', '22/22'],
    ['SecurityGroupIds.1', 'sg-a'], ['SecurityGroupIds.2', 'sg-b'], ['SystemDisk.Category', 'cloud_essd'],
    ['NetworkInterface.1.SecurityGroupIds.2', 'sg-4'], ['RegionId', 'cn-hangzhou'],
  ]));
  assert.deepEqual(tree, {
    Permissions: [{ IpProtocol: 'TCP', PortRange: '22/22' }, { SourceGroupId: 'sg-2' }],
    SecurityGroupIds: ['sg-a', 'sg-b'],
    SystemDisk: { Category: 'cloud_essd' },
    NetworkInterface: [{ SecurityGroupIds: ['sg-4'] }],
    RegionId: 'cn-hangzhou',
  });
});

test('gaps in indexes close up', () => {
  assert.deepEqual(plain(unflatten([['Tag.1.Key', 'a'], ['Tag.3.Key', 'c']])), { Tag: [{ Key: 'a' }, { Key: 'c' }] });
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

/** Every own property name of the objects a parameter name could reach through inheritance. */
function builtInSurface(): Map<unknown, string[]> {
  const roots: unknown[] = [Object.prototype, Function.prototype, Array.prototype, String.prototype, Object, Function, Array];
  for (const name of Object.getOwnPropertyNames(Object.prototype)) roots.push((Object.prototype as Record<string, unknown>)[name]);
  for (const name of Object.getOwnPropertyNames(Function.prototype)) {
    if (name === 'caller' || name === 'arguments') continue; // poison-pill accessors
    roots.push((Function.prototype as unknown as Record<string, unknown>)[name]);
  }
  const out = new Map<unknown, string[]>();
  for (const r of roots) if ((typeof r === 'object' || typeof r === 'function') && r !== null) out.set(r, Reflect.ownKeys(r).map(String).sort());
  return out;
}

test('names of inherited members build ordinary branches: no built-in is ever written', () => {
  const before = builtInSurface();
  const names = new Set<string>();
  for (const o of [Object.prototype, Function.prototype, Array.prototype]) for (const n of Object.getOwnPropertyNames(o)) names.add(n);
  for (const name of names) {
    for (const key of [`${name}.x`, `${name}.bind.x`, `${name}.caller.x`, `${name}.prototype.x`, `A.1.${name}.x`, `A.${name}`, name]) {
      let tree;
      try {
        tree = unflatten([[key, 'v'.repeat(1000)]]);
      } catch (e) {
        // a refusal is fine, as long as it is the clean one
        assert.equal((e as { code?: string }).code, 'InvalidParameter', key);
        continue;
      }
      assert.equal(Object.getPrototypeOf(tree), null, key);
    }
  }
  const after = builtInSurface();
  for (const [obj, keys] of before) assert.deepEqual(after.get(obj), keys, 'a built-in gained or lost a property');
  // eslint-disable-next-line @typescript-eslint/unbound-method -- the built-in function itself is inspected, never called
  assert.equal(Object.hasOwn(Object.prototype.toString, 'x'), false);
  // eslint-disable-next-line @typescript-eslint/unbound-method -- the built-in function itself is inspected, never called
  assert.equal(Object.hasOwn(Function.prototype.bind, 'x'), false);
});
