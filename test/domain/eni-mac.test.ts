// ENI MAC addresses: `00:16:3e` and three random bytes (any of 256 values each, not the 62 of an
// alphanumeric token), never the same twice within one network, even when the random source
// repeats itself.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { probedEngines } from '../helpers/stores.ts';
import { testContext } from '../helpers/context.ts';
import type { Store } from '../../src/store/store.ts';
import { ensureAccount } from '../../src/domain/accounts.ts';
import * as vpc from '../../src/domain/vpc.ts';
import * as sg from '../../src/domain/security-groups.ts';
import * as enis from '../../src/domain/enis.ts';
import { randomIds, type Ids } from '../../src/ids.ts';
import { systemClock } from '../../src/clock.ts';
import { DEFAULT_LIMITS } from '../../src/domain/limits.ts';

const A = '3333444455556666';
const R = 'cn-hangzhou';

// every engine probed before any suite is declared (test/helpers/stores.ts says why)
const probed = await probedEngines();
for (const { engine, skip } of probed) {
  describe(`ENI MAC addresses: ${engine.name}`, () => {
    if (skip !== undefined) { test(`skipped: ${skip}`, { skip }); return; }
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store, cleanup } = await engine.open());
      await ensureAccount({ store, clock: systemClock, ids: randomIds, limits: DEFAULT_LIMITS }, { accountId: A, accessKeyId: 'LTAImactest000000001', accessKeySecret: 'secret-mac-000001' });
    });
    after(async () => { await store.close(); await cleanup(); });

    test('a repeated draw is drawn again: two ENIs of one network never share a MAC', async () => {
      // the first two MAC draws return the same bytes
      let draws = 0;
      const ids: Ids = { ...randomIds, token: (n) => (n === 3 && draws++ < 2 ? Buffer.from([0xab, 0xcd, 0xef]).toString('base64url') : randomIds.token(n)) };
      const ctx = { ...testContext(store, A, { limits: { privateIpsPerBasicGroup: 5000 } }), ids };
      const v = (await vpc.createVpc(ctx, { regionId: R, cidrBlock: '10.0.0.0/16' })).vpcId;
      const vsw = (await vpc.createVSwitch(ctx, { regionId: R, vpcId: v, zoneId: 'cn-hangzhou-h', cidrBlock: '10.0.0.0/20' })).vSwitchId;
      const g = (await sg.createSecurityGroup(ctx, { regionId: R, vpcId: v })).securityGroupId;
      const a = await enis.createNetworkInterface(ctx, { regionId: R, vSwitchId: vsw, securityGroupIds: [g] });
      const b = await enis.createNetworkInterface(ctx, { regionId: R, vSwitchId: vsw, securityGroupIds: [g] });
      assert.equal(a.macAddress, '00:16:3e:ab:cd:ef');
      assert.notEqual(b.macAddress, a.macAddress);
      assert.ok(draws >= 3, 'the second ENI drew again');
    });

    test('600 ENIs on one network: all distinct, bytes from the whole 0..255 range', async () => {
      const ctx = testContext(store, A, { limits: { privateIpsPerBasicGroup: 5000 } });
      const v = (await vpc.createVpc(ctx, { regionId: 'cn-shanghai', cidrBlock: '10.1.0.0/16' })).vpcId;
      const vsw = (await vpc.createVSwitch(ctx, { regionId: 'cn-shanghai', vpcId: v, zoneId: 'cn-shanghai-b', cidrBlock: '10.1.0.0/20' })).vSwitchId;
      const g = (await sg.createSecurityGroup(ctx, { regionId: 'cn-shanghai', vpcId: v })).securityGroupId;
      const macs: string[] = [];
      for (let i = 0; i < 600; i++) macs.push((await enis.createNetworkInterface(ctx, { regionId: 'cn-shanghai', vSwitchId: vsw, securityGroupIds: [g] })).macAddress);
      assert.equal(new Set(macs).size, macs.length);
      assert.ok(macs.every((m) => /^00:16:3e(:[0-9a-f]{2}){3}$/.test(m)));
      const bytes = new Set(macs.flatMap((m) => m.split(':').slice(3).map((h) => parseInt(h, 16))));
      // 1,800 uniform draws cover far more than the 62 values of an alphanumeric token
      assert.ok(bytes.size > 200, `only ${bytes.size} distinct byte values`);
      assert.ok([...bytes].some((b) => b < 0x30 || b > 0x7a), 'bytes outside the alphanumeric ASCII range occur');
    });
  });
}
