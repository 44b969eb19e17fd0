// Cloud Enterprise Network with real packets (root, real kernel): SPEC §9 scenarios 2 and 7 in the
// VPCs of two accounts. Before a CEN no path exists; once both VPCs are attached to A's CEN (B
// granted it), B's group authorizing A's group (group id + account id) lets A's instance reach
// B's on TCP 22 (its sshd), a /32 rule for A's private address opens another port, a port nobody
// authorized stays closed, and another instance of A outside the group is refused. A detach cuts
// the path at once, established sessions included; a CEN namespace deleted behind the agent's back
// is made again; nothing is left behind.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rootTestOptions, run } from '../helpers/netns.ts';
import { startDataplaneServer, Tenant, Probers, leftovers, type DataplaneServer } from '../helpers/dataplane.ts';
import { ensureAccount } from '../../src/domain/accounts.ts';
import { ROOT, callRpc, type Creds } from '../helpers/server.ts';

const R = 'cn-shanghai';
const PREFIX = `pcn${process.pid % 10000}-`;
const CBN = '2017-09-12';
const VPC = '2016-04-28';

describe('data plane: two accounts\' VPCs through a Cloud Enterprise Network', rootTestOptions(), () => {
  let dp: DataplaneServer;
  const probers = new Probers();
  const made: string[] = [];

  before(async () => {
    dp = await startDataplaneServer(PREFIX);
  });
  after(async () => {
    await probers.closeAll();
    await dp?.stop();
    assert.deepEqual(leftovers(PREFIX, made), [], 'every namespace the agent made is gone, the CEN\'s too');
  });

  test('§9.2 and §9.7 in VPCs: no path before the CEN; by group id + account id and by /32 after; cut again on detach', async () => {
    const other = await ensureAccount(dp.server.services);
    const theirCreds: Creds = { accessKeyId: other.accessKeyId, accessKeySecret: other.accessKeySecret };
    const mine = dp.clients();
    const theirs = dp.clients(theirCreds);
    const a = new Tenant(mine.ecs, mine.vpc, R);
    const b = new Tenant(theirs.ecs, theirs.vpc, R);
    const netA = await a.network('10.51.0.0/16', '10.51.1.0/24', 'cn-shanghai-b');
    const netB = await b.network('10.52.0.0/16', '10.52.1.0/24', 'cn-shanghai-b');
    const groupA = await a.group(netA.vpcId);
    const outsider = await a.group(netA.vpcId);
    const groupB = await b.group(netB.vpcId);
    const ia = await a.instance({ vSwitchId: netA.vSwitchId, groups: [groupA] });
    const io = await a.instance({ vSwitchId: netA.vSwitchId, groups: [outsider] });
    const ib = await b.instance({ vSwitchId: netB.vSwitchId, groups: [groupB] });
    made.push(ia.id, io.id, ib.id);
    await b.ingress(groupB, [
      { ipProtocol: 'tcp', portRange: '22/22', sourceGroupId: groupA, sourceGroupOwnerId: Number(ROOT.accountId), nicType: 'intranet' },
      { ipProtocol: 'tcp', portRange: '3389/3389', sourceCidrIp: `${ia.ip}/32`, nicType: 'intranet' },
    ]);
    await dp.settle();
    const pa = await probers.in(ia.id);
    const po = await probers.in(io.id);
    const pb = await probers.in(ib.id);
    await pb.tcpListen(3389);
    await pb.tcpListen(8080);

    // before: two VPCs, no path between them whatever the rules say
    assert.equal(await pa.tcpConnect(ib.ip, 22, 700), 'timeout', 'no CEN: no path');
    assert.equal(await pa.tcpConnect(ib.ip, 3389, 700), 'timeout');

    const cenId = (await callRpc(dp.server.endpoint, 'CreateCen', CBN, { Name: 'corp' }))['CenId'] as string;
    await callRpc(dp.server.endpoint, 'GrantInstanceToCen', VPC, { RegionId: R, InstanceId: netB.vpcId, InstanceType: 'VPC', CenId: cenId, CenOwnerId: ROOT.accountId }, theirCreds);
    await callRpc(dp.server.endpoint, 'AttachCenChildInstance', CBN, { CenId: cenId, ChildInstanceId: netA.vpcId, ChildInstanceType: 'VPC', ChildInstanceRegionId: R });
    await callRpc(dp.server.endpoint, 'AttachCenChildInstance', CBN, { CenId: cenId, ChildInstanceId: netB.vpcId, ChildInstanceType: 'VPC', ChildInstanceRegionId: R, ChildInstanceOwnerId: other.accountId });
    await dp.settle();
    const cenNs = `${PREFIX}${cenId}`;
    assert.equal((await run('ip', ['netns', 'list'])).stdout.includes(cenNs), true, 'the CEN has its namespace');

    assert.equal(await pa.tcpConnect(ib.ip, 22, 2000), 'open', 'A\'s group reaches B\'s sshd through the CEN');
    assert.equal(await pa.tcpConnect(ib.ip, 3389, 2000), 'open', 'by A\'s private address /32');
    assert.equal(await pa.tcpConnect(ib.ip, 8080, 700), 'timeout', 'a port nobody authorized stays closed');
    assert.equal(await po.tcpConnect(ib.ip, 22, 700), 'timeout', 'another instance of A, not in the group, is refused');
    assert.equal(await po.tcpConnect(ib.ip, 3389, 700), 'timeout', 'the /32 names A\'s instance only');
    // B's instance answers; it may not open connections to A (A's group has no rule for it)
    await pa.tcpListen(9000);
    assert.equal(await pb.tcpConnect(ia.ip, 9000, 700), 'timeout', 'the other direction needs A\'s own rule');

    // the CEN's namespace removed behind the agent's back is made again at the next round
    await run('ip', ['netns', 'del', cenNs]);
    await callRpc(dp.server.endpoint, 'CreateCen', CBN, { Name: 'a write, for a round' });
    await dp.settle();
    assert.equal((await run('ip', ['netns', 'list'])).stdout.includes(cenNs), true, 'the CEN\'s namespace is back');
    assert.equal(await pa.tcpConnect(ib.ip, 22, 2000), 'open', 'rebuilt');

    // an established session through the CEN dies with the detach
    const held = await pa.tcpHold(ib.ip, 3389, 2000);
    assert.notEqual(held, undefined);
    assert.equal(await pa.tcpHeldEcho(held!, 1000), true);
    await callRpc(dp.server.endpoint, 'DetachCenChildInstance', CBN, { CenId: cenId, ChildInstanceId: netB.vpcId, ChildInstanceType: 'VPC', ChildInstanceRegionId: R, ChildInstanceOwnerId: other.accountId });
    await dp.settle();
    assert.equal(await pa.tcpHeldEcho(held!, 1000), false, 'the held session is cut');
    assert.equal(await pa.tcpConnect(ib.ip, 22, 700), 'timeout', 'detached: no path again');
    assert.equal(await pa.tcpConnect(ib.ip, 3389, 700), 'timeout');
    assert.equal((await run('ip', ['netns', 'list'])).stdout.includes(cenNs), false, 'one VPC left: the CEN\'s namespace is gone');

    await callRpc(dp.server.endpoint, 'DetachCenChildInstance', CBN, { CenId: cenId, ChildInstanceId: netA.vpcId, ChildInstanceType: 'VPC', ChildInstanceRegionId: R });
    await callRpc(dp.server.endpoint, 'DeleteCen', CBN, { CenId: cenId });
    await dp.settle();
    assert.deepEqual((await run('ip', ['netns', 'list'])).stdout.split('\n').filter((l) => l.includes('cen-')), [], 'no CEN namespace left');
  });
});
