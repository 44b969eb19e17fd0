// One conformance suite, run against both engines: transactions, revisions, restarts, and the
// domain's writes and reads through each engine.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { probedEngines } from '../helpers/stores.ts';
import { testContext } from '../helpers/context.ts';
import type { Store } from '../../src/store/store.ts';
import { ensureAccount, findAccessKey } from '../../src/domain/accounts.ts';
import * as vpc from '../../src/domain/vpc.ts';
import { idempotentWrite } from '../../src/domain/idempotency.ts';
import { systemClock } from '../../src/clock.ts';
import { randomIds } from '../../src/ids.ts';
import { DEFAULT_LIMITS } from '../../src/domain/limits.ts';

const A = '1111222233334444';
const B = '5555666677778888';

// every engine probed before any suite is declared (test/helpers/stores.ts says why)
const probed = await probedEngines();
for (const { engine, skip } of probed) {
  describe(`store conformance: ${engine.name}`, () => {
    if (skip !== undefined) {
      test(`skipped: ${skip}`, { skip });
      return;
    }
    let store: Store;
    let reopen: () => Promise<Store>;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store, reopen, cleanup } = await engine.open());
    });
    after(async () => {
      await store.close();
      await cleanup();
    });
    const svc = () => ({ store, clock: systemClock, ids: randomIds, limits: DEFAULT_LIMITS });

    test('a write bumps the revision once; a failed write changes nothing', async () => {
      const r0 = store.revision();
      await ensureAccount(svc(), { accountId: A, accessKeyId: 'LTAIconformanceA01', accessKeySecret: 'secret-a-0000001' });
      assert.equal(store.revision(), r0 + 1);
      await assert.rejects(store.write(async (tx) => {
        await tx.insertInto('accounts').values({ id: B, created_at: 'x' }).execute();
        throw new Error('boom');
      }));
      assert.equal(store.revision(), r0 + 1);
      assert.equal(await store.db.selectFrom('accounts').select('id').where('id', '=', B).executeTakeFirst(), undefined);
      assert.equal(await store.refreshRevision(), r0 + 1);
    });

    test('access keys are found by id with their account', async () => {
      const k = await findAccessKey({ store }, 'LTAIconformanceA01');
      assert.equal(k?.accountId, A);
      assert.equal(k?.secret, 'secret-a-0000001');
      assert.equal(k?.userName, null);
      assert.equal(await findAccessKey({ store }, 'LTAInope'), undefined);
      const again = await ensureAccount(svc(), { accountId: A, accessKeyId: 'LTAIconformanceA01', accessKeySecret: 'secret-a-0000001' });
      assert.equal(again.created, false);
    });

    test('waitForRevision wakes on a write and times out without one', async () => {
      const r = store.revision();
      const waiting = store.waitForRevision(r, 5000);
      await ensureAccount(svc(), { accountId: B, accessKeyId: 'LTAIconformanceB01', accessKeySecret: 'secret-b-0000001' });
      assert.ok(await waiting > r);
      // without a write it waits (it has not answered after a turn of the event loop), then answers
      // the unchanged revision
      const unchanged = store.revision();
      let answered = false;
      const timedOut = store.waitForRevision(unchanged, 100).then((rev) => { answered = true; return rev; });
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(answered, false, 'answered before its timeout without a write');
      assert.equal(await timedOut, unchanged);
    });

    test('concurrent writes all commit, each with its own revision', async () => {
      const r = store.revision();
      const ctx = testContext(store, A, { limits: { vpcsPerRegion: 100 } });
      const created = await Promise.all(Array.from({ length: 25 }, () => vpc.createVpc(ctx, { regionId: 'cn-qingdao', cidrBlock: '10.0.0.0/16' })));
      assert.equal(new Set(created.map((c) => c.vpcId)).size, 25);
      // every write counted exactly once (the database's count; revision() may lag it by a poll)
      assert.equal(await store.refreshRevision(), r + 25);
      const page = await vpc.describeVpcs(ctx, { regionId: 'cn-qingdao', pageSize: 50 });
      assert.equal(page.totalCount, 25);
    });

    test('VPCs and vSwitches: create, read, modify, refuse, delete; accounts do not see each other', async () => {
      const a = testContext(store, A);
      const b = testContext(store, B);
      const { vpcId } = await vpc.createVpc(a, { regionId: 'cn-hangzhou', cidrBlock: '192.168.0.0/16', vpcName: 'main', tags: [{ key: 'env', value: 'dev' }] });
      const { vSwitchId } = await vpc.createVSwitch(a, { vpcId, zoneId: 'cn-hangzhou-h', cidrBlock: '192.168.1.0/24', vSwitchName: 'web' });
      await assert.rejects(vpc.createVSwitch(a, { vpcId, zoneId: 'cn-hangzhou-h', cidrBlock: '192.168.1.128/25' }), { code: 'InvalidCidrBlock.Overlapped' });
      await assert.rejects(vpc.createVSwitch(a, { vpcId, zoneId: 'cn-hangzhou-h', cidrBlock: '10.0.0.0/24' }), { code: 'InvalidCidrBlock.Malformed' });
      await assert.rejects(vpc.createVSwitch(a, { vpcId, zoneId: 'cn-beijing-a', cidrBlock: '192.168.2.0/24' }), { code: 'InvalidZoneId.NotFound' });
      const page = await vpc.describeVpcs(a, { regionId: 'cn-hangzhou', tags: [{ key: 'env', value: 'dev' }] });
      assert.equal(page.totalCount, 1);
      assert.deepEqual(page.items[0]!.vSwitchIds, [vSwitchId]);
      assert.deepEqual(page.items[0]!.tags, [{ key: 'env', value: 'dev' }]);
      assert.equal((await vpc.describeVpcs(b, { regionId: 'cn-hangzhou' })).totalCount, 0);
      await assert.rejects(vpc.deleteVpc(b, { vpcId }), { code: 'InvalidVpcId.NotFound' });
      await vpc.modifyVpcAttribute(a, { vpcId, vpcName: 'renamed', description: 'd' });
      await assert.rejects(vpc.modifyVpcAttribute(a, { vpcId, cidrBlock: '192.168.0.0/24' }), { code: 'InvalidCidrBlock.Malformed' });
      await assert.rejects(vpc.deleteVpc(a, { vpcId }), { code: 'DependencyViolation.VSwitch' });
      await vpc.deleteVSwitch(a, { vSwitchId });
      await vpc.deleteVpc(a, { vpcId });
      assert.equal((await vpc.describeVpcs(a, { regionId: 'cn-hangzhou' })).totalCount, 0);
      assert.equal((await store.db.selectFrom('tags').selectAll().where('resource_id', '=', vpcId).execute()).length, 0);
    });

    test('ClientToken: one result per token, kept in the same transaction as the write', async () => {
      const key = { accountId: A, action: 'vpc:CreateVpc', token: 'tok-1', fingerprint: 'f1', nowMs: Date.now() };
      const base = testContext(store, A);
      const ctx = { ...base, write: idempotentWrite(store, key) };
      const first = await vpc.createVpc(ctx, { regionId: 'cn-shanghai' });
      const second = await vpc.createVpc(ctx, { regionId: 'cn-shanghai' });
      assert.deepEqual(second, first);
      assert.equal((await vpc.describeVpcs(base, { regionId: 'cn-shanghai' })).totalCount, 1);
      const other = { ...base, write: idempotentWrite(store, { ...key, fingerprint: 'f2' }) };
      await assert.rejects(vpc.createVpc(other, { regionId: 'cn-shanghai' }), { code: 'IdempotentParameterMismatch' });
      const racing = { ...base, write: idempotentWrite(store, { ...key, token: 'tok-race' }) };
      const results = await Promise.all([1, 2, 3, 4].map(() => vpc.createVpc(racing, { regionId: 'cn-shenzhen' })));
      assert.equal(new Set(results.map((r) => r.vpcId)).size, 1);
      assert.equal((await vpc.describeVpcs(base, { regionId: 'cn-shenzhen' })).totalCount, 1);
    });

    test('a restart on the same data loses nothing', async () => {
      const before = await vpc.describeVpcs(testContext(store, A), { regionId: 'cn-qingdao', pageSize: 50 });
      // concurrent writes above make revision() a lower bound until the next poll: ask the database
      const rev = await store.refreshRevision();
      await store.close();
      store = await reopen();
      assert.equal(store.revision(), rev);
      const afterRestart = await vpc.describeVpcs(testContext(store, A), { regionId: 'cn-qingdao', pageSize: 50 });
      assert.deepEqual(afterRestart, before);
      assert.equal((await findAccessKey({ store }, 'LTAIconformanceB01'))?.accountId, B);
    });
  });
}
