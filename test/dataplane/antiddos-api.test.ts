// Anti-DDoS Basic end to end (root): a server with the data plane (the agent inside it, its
// monitor reporting to the store), an instance with a public address made through the SDK,
// thresholds lowered through ModifyDefenseThreshold, and real floods from the internet namespace
// (the paced UDP sender of netns-prober.mjs, bounded in count and time). What the API says follows
// the kernel: IpStatus `defense` then `blackhole` (with UnBlackholeTime), CheckNetworkAccess's
// Scrubbing and Blackhole, the events with their peaks against what the generator sent, the
// DescribeCap series, and the black hole's end after the (shortened) duration. The server's stop
// removes every namespace; the test checks nothing is left.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { callRpc } from '../helpers/server.ts';
import { rootTestOptions, Prober } from '../helpers/netns.ts';
import { startDataplaneServer, Tenant, addInternetAddresses, leftovers, type DataplaneServer } from '../helpers/dataplane.ts';

const PREFIX = `pda${process.pid % 10000}-`;
const REGION = 'cn-hangzhou';
const DDOS = '2017-05-18';
const PARAPET = '2026-11-01';
const FLOODER = '198.51.100.40';
/** bits per second over which an address is black-holed in this test (12 Mbit/s) */
const BLACKHOLE_BPS = 12_000_000;

interface IpConfig { InstanceIp: string; IpStatus: string; UnBlackholeTime?: number; DefensePpsThreshold: number }
interface DdosEvent { DdosType: string; DdosStatus: string; StartTime: number; EndTime?: number; PeakBps: number; PeakPps: number; InternetIp: string }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

const within = (actual: number, expected: number, share: number) => Math.abs(actual - expected) <= expected * share;

describe('Anti-DDoS end to end: the server\'s agent, the API and real packets', rootTestOptions(), () => {
  let dp: DataplaneServer;
  let flooder: Prober | undefined;
  before(async () => {
    dp = await startDataplaneServer(PREFIX, {
      PARAPET_ANTIDDOS_BLACKHOLE_BPS: String(BLACKHOLE_BPS), PARAPET_ANTIDDOS_BLACKHOLE_SECONDS: '4',
      PARAPET_ANTIDDOS_HOLD_SECONDS: '2', PARAPET_ANTIDDOS_SAMPLE_MS: '250',
    });
  });
  after(async () => {
    await flooder?.close();
    await dp?.stop();
    assert.deepEqual(leftovers(PREFIX, []), [], 'no namespace left behind');
  });

  test('a flood over a lowered threshold: defense; over the black-hole threshold: blackhole, then back; the API tells it all', async () => {
    const ep = dp.server.endpoint;
    const { ecs, vpc } = dp.clients();
    const tenant = new Tenant(ecs, vpc, REGION);
    const { vpcId, vSwitchId } = await tenant.network('10.62.0.0/16', '10.62.1.0/24', 'cn-hangzhou-i');
    const sg = await tenant.group(vpcId);
    await tenant.ingress(sg, [{ ipProtocol: 'udp', portRange: '9000/9000', sourceCidrIp: '0.0.0.0/0' }]);
    const web = await tenant.instance({ vSwitchId, groups: [sg], publicIp: true });
    assert.ok(web.publicIp !== '');
    const ddos = (action: string, q: Record<string, string>) => callRpc(ep, action, DDOS, q);
    const ipConfig = async (): Promise<IpConfig> => {
      const r = await ddos('DescribeInstanceIpAddress', { DdosRegionId: REGION, InstanceType: 'ecs', InstanceId: web.id });
      return (r['InstanceList'] as Array<{ IpAddressConfig: IpConfig[] }>)[0]!.IpAddressConfig[0]!;
    };
    const events = async (): Promise<DdosEvent[]> => {
      const r = await ddos('DescribeDdosEventList', { DdosRegionId: REGION, InstanceType: 'ecs', InstanceId: web.id, PageSize: '50' });
      return (r['DdosEventList'] as { DdosEvent: DdosEvent[] }).DdosEvent;
    };
    const check = (peer: string) => callRpc(ep, 'CheckNetworkAccess', PARAPET, { RegionId: REGION, InstanceId: web.id, Direction: 'ingress', IpProtocol: 'udp', Port: '9000', PeerIpAddress: peer });

    await ddos('ModifyDefenseThreshold', { DdosRegionId: REGION, InstanceType: 'ecs', InstanceId: web.id, Bps: '1000', Pps: '500' });
    await dp.settle(30_000);
    assert.deepEqual([(await ipConfig()).IpStatus, (await ipConfig()).DefensePpsThreshold], ['normal', 500]);

    await addInternetAddresses(dp.internetNs, [FLOODER]);
    flooder = await Prober.start(dp.internetNs);

    // 2,500 small packets a second for 4 s: five times the packet threshold, far under the black hole's bits
    const scrubFlood = flooder.udpFlood(web.publicIp, 9000, 2500, 4000, 64, FLOODER);
    const t0 = Date.now();
    await until('IpStatus defense', 3000, async () => ((await ipConfig()).IpStatus === 'defense' ? true : undefined));
    const detected = Date.now() - t0;
    const scrubbing = await check('198.51.100.77');
    assert.deepEqual([scrubbing['Verdict'], scrubbing['Scrubbing']], ['Accept', true], 'the groups allow it; scrubbing limits it');
    const sent1 = await scrubFlood;
    // what the generator sent out of its socket: a drop in its own namespace (scrubbing, the black
    // hole) fails the send, after the counters saw it, so every attempt counts
    const rate1 = sent1.attempted / sent1.seconds;
    const open1 = await until('the scrubbing event with its peak', 5000, async () => (await events()).find((e) => e.DdosType === 'defense'));
    assert.ok(within(open1.PeakPps, rate1, 0.2), `peak ${open1.PeakPps} pps against ${rate1.toFixed(0)} sent (detected after ${detected} ms)`);

    // ~16 Mbit/s of 1,000-byte packets for 3 s: over the 12 Mbit/s black-hole threshold
    const holeFlood = flooder.udpFlood(web.publicIp, 9000, 2000, 3000, 1000, FLOODER);
    const hole = await until('IpStatus blackhole', 3000, async () => { const c = await ipConfig(); return c.IpStatus === 'blackhole' ? c : undefined; });
    assert.ok(typeof hole.UnBlackholeTime === 'number' && hole.UnBlackholeTime > Date.now(), 'the black hole says when it ends');
    const dropped = await check('198.51.100.77');
    assert.deepEqual([dropped['Verdict'], dropped['Reason']], ['Drop', 'Blackhole'], 'an internet flow is dropped by the black hole');
    const sent2 = await holeFlood;
    const bits2 = (sent2.attempted * (1000 + 28) * 8) / sent2.seconds;
    const holeEvent = await until('the black-hole event', 5000, async () => (await events()).find((e) => e.DdosType === 'blackhole'));
    assert.ok(within(holeEvent.PeakBps, bits2, 0.2), `peak ${holeEvent.PeakBps} bit/s against ${bits2.toFixed(0)} sent`);

    // the black hole lasts 4 s after the attack stops; then the address is scrubbed again (a new
    // defense event) and, once the hold passes quietly, normal
    const ended = await until('the black hole ends', 15_000, async () => (await events()).find((e) => e.DdosType === 'blackhole' && e.EndTime !== undefined));
    assert.ok(ended.EndTime! - ended.StartTime >= 4000, `the black hole lasted its duration: ${JSON.stringify(ended)}`);
    assert.equal(ended.DdosStatus, 'normal');
    const again = await until('scrubbing after the black hole', 5000, async () => (await events()).find((e) => e.DdosType === 'defense' && e.StartTime >= ended.EndTime!));
    await until('back to normal after the hold', 12_000, async () => ((await ipConfig()).IpStatus === 'normal' && (await events()).some((e) => e.StartTime === again.StartTime && e.EndTime !== undefined) ? true : undefined));

    // the traffic series holds the floods, second by second
    const cap = await ddos('DescribeCap', { DdosRegionId: REGION, InstanceType: 'ecs', InstanceId: web.id, InternetIp: web.publicIp, BegTime: String(t0 - 5000) });
    const points = (cap['Traffic'] as { Point: Array<{ PpsIn: number; BpsIn: number }> }).Point;
    assert.ok(points.some((p) => p.PpsIn > 1500), 'a second of the first flood');
    assert.ok(points.some((p) => p.BpsIn > BLACKHOLE_BPS), 'a second of the second flood');
  });
});
