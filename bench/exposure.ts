// bench/exposure: DescribeExposure for 10,000 instances with public addresses in 5 groups of 200
// rules each (SQLite, in-process). Goal: under 2 s.   npx tsx bench/exposure.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../src/store/sqlite.ts';
import { systemClock } from '../src/clock.ts';
import { randomIds } from '../src/ids.ts';
import { DEFAULT_LIMITS } from '../src/domain/limits.ts';
import type { CallContext } from '../src/domain/context.ts';
import { ensureAccount } from '../src/domain/accounts.ts';
import { createVpc, createVSwitch } from '../src/domain/vpc.ts';
import { createSecurityGroup } from '../src/domain/security-groups.ts';
import { authorize } from '../src/domain/sg-permissions.ts';
import { runInstances } from '../src/domain/instances.ts';
import { describeExposure } from '../src/domain/exposure.ts';

const INSTANCES = Number(process.env['BENCH_INSTANCES'] ?? 10000);
const dir = mkdtempSync(join(tmpdir(), 'parapet-exposure-'));
const store = await openSqlite({ dataDir: dir });
const account = await ensureAccount({ store, clock: systemClock, ids: randomIds, limits: DEFAULT_LIMITS });
const ctx: CallContext = {
  store, clock: systemClock, ids: randomIds, limits: { ...DEFAULT_LIMITS, privateIpsPerBasicGroup: 100000 },
  principal: { accountId: account.accountId, kind: 'root', accessKeyId: account.accessKeyId }, requestId: 'bench', write: (fn) => store.write(fn),
  request: { sourceIp: '127.0.0.1', secureTransport: false, currentTime: '2026-11-30T00:00:00Z' },
};
const R = 'cn-hangzhou';
const { vpcId } = await createVpc(ctx, { regionId: R, cidrBlock: '10.0.0.0/8' });
const { vSwitchId } = await createVSwitch(ctx, { vpcId, zoneId: 'cn-hangzhou-h', cidrBlock: '10.0.0.0/16' });
const groups: string[] = [];
for (let g = 0; g < 5; g++) {
  const { securityGroupId } = await createSecurityGroup(ctx, { regionId: R, vpcId });
  groups.push(securityGroupId);
  for (let b = 0; b < 2; b++) {
    const permissions = Array.from({ length: 100 }, (_, i) => {
      const n = b * 100 + i;
      const port = 1000 + g * 500 + n;
      const open = n % 10 === 0;
      return {
        input: {
          IpProtocol: n % 7 === 0 ? 'udp' : 'tcp', PortRange: n % 13 === 0 ? `${port}/${port + 20}` : `${port}/${port}`,
          SourceCidrIp: open ? '0.0.0.0/0' : `${100 + (n % 50)}.${g}.${n % 256}.0/24`,
          Policy: n % 17 === 0 ? 'drop' : 'accept', Priority: String(1 + (n % 100)),
        },
        param: `Permissions.${i + 1}.`,
      };
    });
    await authorize(ctx, { regionId: R, securityGroupId, direction: 'ingress', permissions });
  }
}
const perGroup = Math.ceil(INSTANCES / 5);
let made = 0;
const t0 = performance.now();
for (let g = 0; g < 5 && made < INSTANCES; g++) {
  for (let done = 0; done < perGroup && made < INSTANCES; done += 100) {
    const amount = Math.min(100, perGroup - done, INSTANCES - made);
    await runInstances(ctx, { regionId: R, imageId: 'ubuntu_22_04_x64_20G_alibase_20240101.vhd', instanceType: 'ecs.g5.large', vSwitchId, securityGroupIds: [groups[g]!], amount, internetMaxBandwidthOut: 0, start: true });
    made += amount;
  }
}
// mark every instance as having a public address (the API's pool is a /24; the exposure path is what is measured)
await store.write(async (tx) => {
  const rows = await tx.selectFrom('instances').select('id').execute();
  for (let i = 0; i < rows.length; i++) await tx.updateTable('instances').set({ public_ip: `198.18.${(i >> 8) & 255}.${i & 255}` }).where('id', '=', rows[i]!.id).execute();
});
console.log(`setup: ${made} instances in 5 groups of 200 rules (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
const times: number[] = [];
let count = 0;
for (let i = 0; i < 3; i++) {
  await store.write(async () => undefined); // a write empties the memoized inventory, so each run reads everything again
  const s = performance.now();
  const list = await describeExposure(ctx, { regionId: R });
  times.push(performance.now() - s);
  count = list.length;
}
console.log(`DescribeExposure over ${made} instances: ${count} exposure rows; ${times.map((t) => t.toFixed(0) + ' ms').join(', ')} (cold reads each time; goal < 2000 ms)`);
await store.close();
rmSync(dir, { recursive: true, force: true });
