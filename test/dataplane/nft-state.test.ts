// The table state of one network namespace (src/dataplane/nft-state.ts): ENIs with one plan share
// maps and chains, objects are created once and deleted when their last user goes, dispatch elements change
// only when an ENI comes, goes or moves; and (root) the scripts it writes load into a real
// kernel one after another, leaving exactly the objects it says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NftTableState, shareRender } from '../../src/dataplane/nft-state.ts';
import { baseTables } from '../../src/dataplane/topology.ts';
import { nftApply, run } from '../../src/dataplane/sh.ts';
import { planEni, renderEni } from '../../src/engine/firewall/nft.ts';
import { ipToInt, ip6ToBigInt } from '../../src/engine/cidr.ts';
import type { FwGroup } from '../../src/engine/firewall/index.ts';
import { rootTestOptions } from '../helpers/netns.ts';

function group(id: string, ports: number[]): FwGroup {
  return {
    groupId: id, type: 'normal', innerAccessPolicy: 'Accept',
    rules: ports.map((p, i) => ({
      groupId: id, ruleId: `${id}-${i}`, direction: 'ingress', protocol: 'tcp', portFrom: p, portTo: p, srcPortFrom: 1, srcPortTo: 65535,
      policy: 'accept', priority: 1, nicType: 'intranet', peer: { kind: 'cidr', range: { base: ipToInt('10.0.0.0')!, size: 2 ** 24 } },
    })),
  };
}

const render = (tag: string, ip: string, groups: FwGroup[]) => shareRender(renderEni(tag, planEni({ ip: ipToInt(ip)!, networkType: 'vpc', groups, members: () => [] }), {}));
const web = [group('sg-web', [80, 443])];
const db = [group('sg-db', [5432])];

/** The steps: three ENIs, two with one plan; one changes plan; one moves; one goes; all go. */
function steps(): Array<{ name: string; script: string[]; objects: number; enis: number }> {
  const t = new NftTableState();
  const out: Array<{ name: string; script: string[]; objects: number; enis: number }> = [];
  const step = (name: string, fn: (s: string[]) => void) => {
    const s: string[] = [];
    fn(s);
    t.collect(s);
    out.push({ name, script: s, objects: t.objectCount, enis: t.size });
  };
  step('add three', (s) => {
    t.upsert('ea', '10.0.0.2', render('ea', '10.0.0.2', web), s);
    t.upsert('eb', '10.0.0.3', render('eb', '10.0.0.3', web), s);
    t.upsert('ec', '10.0.0.4', render('ec', '10.0.0.4', db), s);
  });
  step('eb changes plan', (s) => t.upsert('eb', '10.0.0.3', render('eb', '10.0.0.3', db), s));
  step('ea changes plan too: the web maps lose their last user', (s) => t.upsert('ea', '10.0.0.2', render('ea', '10.0.0.2', db), s));
  step('ec moves', (s) => t.upsert('ec', '10.0.0.9', render('ec', '10.0.0.9', db), s));
  step('eb goes', (s) => t.remove('eb', s));
  step('all go', (s) => { t.remove('ea', s); t.remove('ec', s); });
  return out;
}

test('ENIs of one plan share maps; objects live while used; dispatch changes only when ENIs come, go or move', () => {
  const s = steps();
  const adds = (i: number, what: string) => s[i]!.script.filter((l) => l.startsWith(`add ${what} `)).length;
  const deletes = (i: number, what: string) => s[i]!.script.filter((l) => l.startsWith(`delete ${what} `)).length;
  // two plans (web, db), each 5 maps, a set and a chain per direction; the empty maps are shared by both
  const first = s[0]!.objects;
  assert.ok(first > 4 && first < 2 * 14, `${first} objects for 3 ENIs of 2 plans`);
  // web ingress, db ingress, and one egress chain: neither plan has egress rules, so they share it
  assert.equal(s[0]!.script.filter((l) => /^add chain inet parapet c_/.test(l)).length, 3, 'chains per distinct content, not per ENI');
  assert.equal(adds(0, 'element'), 6, 'three ENIs dispatched both ways');
  assert.equal(adds(1, 'map') + adds(1, 'set'), 0, 'eb joins an existing plan: nothing new');
  assert.equal(adds(1, 'element') + deletes(1, 'element'), 0, 'same address: no element commands');
  assert.equal(deletes(1, 'map'), 0, 'ea still uses the web maps');
  assert.ok(deletes(2, 'map') > 0, 'the web maps go with their last user');
  assert.ok(s[2]!.objects < first);
  assert.equal(deletes(3, 'element'), 2);
  assert.equal(adds(3, 'element'), 2, 'a move re-dispatches');
  assert.equal(s[5]!.objects, 0, 'nothing left');
  // deletes of objects come after every flush of the batch
  for (const st of s) {
    const lastFlush = st.script.map((l) => l.startsWith('flush chain')).lastIndexOf(true);
    const firstObjectDelete = st.script.findIndex((l) => /^delete (map|set) /.test(l));
    if (firstObjectDelete >= 0) assert.ok(firstObjectDelete > lastFlush, st.name);
  }
});

test('the scripts load into a real kernel one after another', rootTestOptions(), async () => {
  const ns = `pnft-state-${process.pid}`;
  assert.equal((await run('ip', ['netns', 'add', ns])).code, 0);
  try {
    await nftApply(ns, baseTables());
    for (const st of steps()) {
      await nftApply(ns, st.script.join('\n') + '\n');
      const listed = await run('ip', ['netns', 'exec', ns, 'nft', '-j', 'list', 'table', 'inet', 'parapet']);
      const items = (JSON.parse(listed.stdout) as { nftables: Array<Record<string, { name: string }>> }).nftables;
      const objects = items.filter((i) => (i['map'] !== undefined && !i['map'].name.endsWith('_dispatch')) || (i['set'] !== undefined && !['public_src', 'public6_src'].includes(i['set'].name))
        || (i['chain'] !== undefined && i['chain'].name.startsWith('c_'))).length;
      const entries = items.filter((i) => i['chain'] !== undefined && /^(in|eg)_e/.test(i['chain'].name)).length;
      assert.equal(entries, 2 * st.enis, `${st.name}: two entry chains per ENI`);
      assert.equal(objects, st.objects, `${st.name}: the kernel holds the objects the state counts`);
    }
  } finally {
    await run('ip', ['netns', 'del', ns]);
  }
});

/** An ENI with IPv6 addresses: its plan has IPv6 chains (a ::/0 rule on port 22). */
const render6 = (tag: string, ip: string) => shareRender(renderEni(tag, planEni({
  ip: ipToInt(ip)!, networkType: 'vpc', groups: [{ ...web[0]!, rules: [...web[0]!.rules, { ...web[0]!.rules[0]!, ruleId: 'v6', portFrom: 22, portTo: 22, peer: { kind: 'cidr6', range: { base: 0n, size: 1n << 128n } } }] }],
  members: () => [], ip6: [ip6ToBigInt('2408:4000:1:1::5')!], members6: () => [],
}), {}));

/** IPv6 steps: an ENI gets IPv6 entry chains and dispatch elements, changes addresses, loses IPv6, goes. */
function steps6(): Array<{ name: string; script: string[]; v6Entries: number; v6Elements: number }> {
  const t = new NftTableState();
  const out: Array<{ name: string; script: string[]; v6Entries: number; v6Elements: number }> = [];
  const step = (name: string, v6Entries: number, v6Elements: number, fn: (s: string[]) => void) => {
    const s: string[] = [];
    fn(s);
    t.collect(s);
    out.push({ name, script: s, v6Entries, v6Elements });
  };
  step('two addresses', 2, 2, (s) => t.upsert('ea', '10.0.0.2', render6('ea', '10.0.0.2'), s, ['2408:4000:1:1::5', '2408:4000:1:1::6']));
  step('one address moves', 2, 2, (s) => t.upsert('ea', '10.0.0.2', render6('ea', '10.0.0.2'), s, ['2408:4000:1:1::5', '2408:4000:1:1::7']));
  step('IPv6 goes', 0, 0, (s) => t.upsert('ea', '10.0.0.2', render('ea', '10.0.0.2', web), s));
  step('IPv6 comes back', 2, 1, (s) => t.upsert('ea', '10.0.0.2', render6('ea', '10.0.0.2'), s, ['2408:4000:1:1::5']));
  step('the ENI goes', 0, 0, (s) => t.remove('ea', s));
  return out;
}

test('IPv6: entry chains in6_/eg6_ and the IPv6 dispatch follow the ENI\'s addresses (and load into a real kernel)', rootTestOptions(), async () => {
  const s = steps6();
  assert.ok(s[1]!.script.some((l) => l === 'delete element inet parapet in6_dispatch { 2408:4000:1:1::6 }'), 'the old address leaves the dispatch');
  assert.ok(!s[1]!.script.some((l) => l.includes('add element inet parapet in6_dispatch { 2408:4000:1:1::5')), 'the kept one is not re-added');
  const ns = `pnft-state6-${process.pid}`;
  assert.equal((await run('ip', ['netns', 'add', ns])).code, 0);
  try {
    await nftApply(ns, baseTables());
    for (const st of s) {
      await nftApply(ns, st.script.join('\n') + '\n');
      const listed = await run('ip', ['netns', 'exec', ns, 'nft', '-j', 'list', 'table', 'inet', 'parapet']);
      const items = (JSON.parse(listed.stdout) as { nftables: Array<Record<string, { name: string; map?: string }>> }).nftables;
      const entries = items.filter((i) => i['chain'] !== undefined && /^(in|eg)6_e/.test(i['chain'].name)).length;
      const elements = (await run('ip', ['netns', 'exec', ns, 'nft', 'list', 'map', 'inet', 'parapet', 'in6_dispatch'])).stdout.match(/2408:4000:1:1::\d/g)?.length ?? 0;
      assert.equal(entries, st.v6Entries, `${st.name}: IPv6 entry chains`);
      assert.equal(elements, st.v6Elements, `${st.name}: IPv6 dispatch elements`);
    }
  } finally {
    await run('ip', ['netns', 'del', ns]);
  }
});
