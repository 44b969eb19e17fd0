// Reconcile keyed per network (root, real kernel): an `nft -f` that fails in one network namespace
// is that network's retry. The round still applies every other network's rules and boots the
// sandboxes it owes, resets the failed network's tables, logs the failure with its stack and
// rejects, so the revision is not marked applied and the loop tries again. The agent is driven
// directly with a desired state written here; the failing transaction is a public address that
// nft refuses (`/33`), which fails the same way every round until the state changes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../../src/dataplane/agent.ts';
import { cleanupNamespaces } from '../../src/dataplane/registry.ts';
import { SSHD } from '../../src/dataplane/sshd.ts';
import type { DesiredInstance, DesiredNetwork, DesiredState } from '../../src/domain/dataplane-state.ts';
import type { FwGroup } from '../../src/engine/firewall/index.ts';
import { ipToInt } from '../../src/engine/cidr.ts';
import { rootTestOptions, nsExec, run } from '../helpers/netns.ts';
import { leftovers } from '../helpers/dataplane.ts';

const tag = `${process.pid % 10000}`;
const PREFIX = `pdr${tag}-`;
const state = mkdtempSync(join(tmpdir(), 'parapet-reconcile-'));
const ids = { a: `i-pdr${tag}a`, b: `i-pdr${tag}b`, b2: `i-pdr${tag}c` };

after(async () => {
  await cleanupNamespaces(state, PREFIX);
  for (const id of Object.values(ids)) await run('ip', ['netns', 'del', id]);
  rmSync(state, { recursive: true, force: true });
});

const open: FwGroup = { groupId: 'sg-open', type: 'normal', innerAccessPolicy: 'Accept', rules: [] };

function network(key: string, third: number): DesiredNetwork {
  return { key, kind: 'vpc', regionId: 'cn-hangzhou', gateways: [{ address: `10.7${third}.1.253`, prefix: 24 }] };
}

function instance(id: string, net: DesiredNetwork, ip: string, p: { publicIp?: string; osType?: 'linux' | 'windows'; mac: string }): DesiredInstance {
  return {
    instanceId: id, accountId: '1', regionId: net.regionId, network: net.key, publicIp: p.publicIp ?? '', osType: p.osType ?? 'windows',
    effectivePublicKey: '', effectivePasswordHash: '', hostName: id, bootSeq: 1, securityAgent: false,
    enis: [{ eniId: `eni-${id}`, instanceId: id, primary: true, ip: ipToInt(ip)!, ipText: ip, prefix: 24, gateway: net.gateways[0]!.address, mac: p.mac, groups: [open], port25Blocked: true, ipv6: [] }],
  };
}

function desiredAt(revision: number, instances: DesiredInstance[], networks: DesiredNetwork[]): DesiredState {
  return { revision, networks, instances, existingInstanceIds: new Set(instances.map((i) => i.instanceId)), members: new Map(), ddos: { ips: [], blackholes: [], penalties: [] }, bruteForceBlocks: [] };
}

async function nft(ns: string, what: string): Promise<string> {
  const r = await nsExec(ns, ['nft', 'list', ...what.split(' ')]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test('one network whose nft transaction fails: every other network and sandbox is still applied, the failed one is reset and retried', rootTestOptions(), async () => {
  const netA = network(`vpc-pdr${tag}a`, 1);
  const netB = network(`vpc-pdr${tag}b`, 2);
  const nsA = `${PREFIX}${netA.key}`;
  const nsB = `${PREFIX}${netB.key}`;
  const a = instance(ids.a, netA, '10.71.1.10', { publicIp: '203.0.113.7', mac: '00:16:3e:71:00:0a' });
  const b = instance(ids.b, netB, '10.72.1.10', { mac: '00:16:3e:72:00:0a' });
  // a Linux instance gets a sandbox with sshd when the machine has the tools (the agent says so otherwise)
  const b2 = instance(ids.b2, netB, '10.72.1.11', { osType: 'linux', mac: '00:16:3e:72:00:0b' });

  let desired = desiredAt(1, [a, b], [netA, netB]);
  const errors: Array<{ obj: Record<string, unknown>; msg: string | undefined }> = [];
  let sshdMissing = !existsSync(SSHD);
  const agent = new Agent({
    readDesired: () => Promise.resolve(desired),
    // no revision ever arrives on its own: the test calls reconcile() itself
    waitForRevision: (after_, ms) => new Promise((resolve) => setTimeout(() => resolve(after_), ms)),
    stateDir: state, prefix: PREFIX, publicPool: '203.0.113.0/24',
    log: {
      info: () => undefined,
      warn: (_obj, msg) => { if (msg?.includes('instances get no SSH') === true) sshdMissing = true; },
      // the cast: every log call of the agent passes a plain object
      error: (obj, msg) => { errors.push({ obj: obj as Record<string, unknown>, msg }); },
    },
  });
  await agent.start();
  try {
    assert.equal(agent.appliedRevision, 1);
    assert.match(await nft(nsA, 'map ip parapet_nat dnat_map'), /203\.0\.113\.7 : 10\.71\.1\.10/);

    // revision 2: A's transaction fails (a public address nft refuses); B gets a new Linux instance
    desired = desiredAt(2, [{ ...a, publicIp: '203.0.113.7/33' }, b, b2], [netA, netB]);
    await assert.rejects(agent.reconcile(), (err: Error) => {
      assert.match(err.message, new RegExp(netA.key), 'the round names the network that did not converge');
      assert.doesNotMatch(err.message, new RegExp(netB.key));
      return true;
    });
    assert.equal(agent.appliedRevision, 1, 'not everything converged: revision 2 is not applied, so the loop retries');
    // B, after A in the round, holds its new ENI anyway
    assert.match(await nft(nsB, 'map inet parapet in_dispatch'), /10\.72\.1\.11/, "B's rules were applied although A's failed");
    // A's tables were reset to the base: rebuilt from nothing at the next round
    assert.doesNotMatch(await nft(nsA, 'map inet parapet in_dispatch'), /10\.71\.1\.10/);
    assert.doesNotMatch(await nft(nsA, 'map ip parapet_nat dnat_map'), /10\.71\.1\.10/);
    const failure = errors.find((e) => JSON.stringify(e.obj).includes(netA.key));
    assert.ok(failure !== undefined, `the failure of ${netA.key} is logged: ${JSON.stringify(errors)}`);
    assert.match(String(failure.obj['err']), /Prefix length 33[\s\S]*\n\s+at /, 'with the error and its stack');
    if (!sshdMissing) {
      const banner = await nsExec(ids.b2, ['bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/22 && timeout 3 head -c 7 <&3'], 5000);
      assert.equal(banner.stdout, 'SSH-2.0', "the new instance's sandbox booted although A's rules failed");
    }

    // the same failure again: A is retried each round, B is left as it is
    await assert.rejects(agent.reconcile(), new RegExp(netA.key));

    // revision 3: A's state is valid again; the retry rebuilds its tables
    desired = desiredAt(3, [a, b, b2], [netA, netB]);
    const changes = await agent.reconcile();
    // A's ENI and its 1:1 NAT, both rebuilt from the reset tables
    assert.ok(changes.includes(`rules ${netA.key}: 2`), changes.join(', '));
    assert.ok(!changes.some((c) => c.includes(netB.key)), `B has nothing left to do: ${changes.join(', ')}`);
    assert.equal(agent.appliedRevision, 3);
    assert.match(await nft(nsA, 'map inet parapet in_dispatch'), /10\.71\.1\.10/);
    assert.match(await nft(nsA, 'map ip parapet_nat dnat_map'), /203\.0\.113\.7 : 10\.71\.1\.10/);
  } finally {
    await agent.stop();
  }
  assert.deepEqual(leftovers(PREFIX, Object.values(ids)), []);
});
