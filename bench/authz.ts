// bench/authz: what authorization adds to a signed DescribeSecurityGroups. The same request as the
// account's root (no policy evaluation) and as a RAM user whose group and own policies allow it
// (AliyunECSReadOnlyAccess, a custom policy with an IP condition, a deny on something else),
// alternating rounds in one run. Goal: the RAM user's path costs under 10% more.
//   npx tsx bench/authz.ts        (BENCH_SECONDS=N per round, BENCH_ROUNDS=N)
import { randomBytes } from 'node:crypto';
import { startChild } from './lib/servers.ts';
import { runLoad, serialize, type LoadResult } from './lib/load.ts';
import { buildSigned, send } from '../test/helpers/sign.ts';
import { BENCH_ROOT } from './lib/root.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 4);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const server = await startChild('parapet');
const ep = server.endpoint;
type Creds = { accessKeyId: string; accessKeySecret: string };
const sign = (creds: Creds, version: string, action: string, params: Record<string, string>) =>
  buildSigned({ endpoint: ep, ...creds, version, action, params, nonce: randomBytes(16).toString('hex') });
async function call(creds: Creds, version: string, action: string, params: Record<string, string>) {
  const r = await send(ep, sign(creds, version, action, params));
  if (r.status !== 200) throw new Error(`${action}: ${r.body}`);
  return r.json!;
}
const RAM = '2015-05-01';
const vpcId = String((await call(BENCH_ROOT, '2016-04-28', 'CreateVpc', { RegionId: 'cn-hangzhou' }))['VpcId']);
for (let i = 0; i < 5; i++) await call(BENCH_ROOT, '2014-05-26', 'CreateSecurityGroup', { RegionId: 'cn-hangzhou', VpcId: vpcId });
await call(BENCH_ROOT, RAM, 'CreateUser', { UserName: 'bench' });
await call(BENCH_ROOT, RAM, 'CreateGroup', { GroupName: 'readers' });
await call(BENCH_ROOT, RAM, 'AddUserToGroup', { UserName: 'bench', GroupName: 'readers' });
await call(BENCH_ROOT, RAM, 'AttachPolicyToGroup', { PolicyType: 'System', PolicyName: 'AliyunECSReadOnlyAccess', GroupName: 'readers' });
await call(BENCH_ROOT, RAM, 'CreatePolicy', { PolicyName: 'office', PolicyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['ecs:Describe*', 'vpc:Describe*'], Resource: 'acs:ecs:*:*:*', Condition: { IpAddress: { 'acs:SourceIp': ['127.0.0.0/8', '10.0.0.0/8'] } } }, { Effect: 'Deny', Action: 'ecs:DeleteSecurityGroup', Resource: '*' }] }) });
await call(BENCH_ROOT, RAM, 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: 'office', UserName: 'bench' });
const key = (await call(BENCH_ROOT, RAM, 'CreateAccessKey', { UserName: 'bench' }))['AccessKey'] as { AccessKeyId: string; AccessKeySecret: string };
const user: Creds = { accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret };
await call(user, '2014-05-26', 'DescribeSecurityGroups', { RegionId: 'cn-hangzhou' });

const perRound = SECONDS * 50000;
const make = (creds: Creds) => Array.from({ length: perRound * (ROUNDS + 1) }, () => serialize(sign(creds, '2014-05-26', 'DescribeSecurityGroups', { RegionId: 'cn-hangzhou' })));
const rootReqs = make(BENCH_ROOT);
const userReqs = make(user);
let cursor = 0;
const slice = (xs: Buffer[]) => xs.slice(cursor * perRound, (cursor + 1) * perRound);
await runLoad(ep, slice(rootReqs), 1);
await runLoad(ep, slice(userReqs), 1);
const rootRuns: LoadResult[] = [];
const userRuns: LoadResult[] = [];
for (let r = 1; r <= ROUNDS; r++) {
  cursor = r;
  const a = await runLoad(ep, slice(rootReqs), SECONDS);
  const b = await runLoad(ep, slice(userReqs), SECONDS);
  rootRuns.push(a);
  userRuns.push(b);
  console.log(`round ${r}: root ${a.rps.toFixed(0)} req/s (non-2xx ${a.non2xx}); RAM user ${b.rps.toFixed(0)} req/s (non-2xx ${b.non2xx})`);
}
await server.stop();
const mean = (xs: LoadResult[]) => xs.reduce((s, x) => s + x.rps, 0) / xs.length;
const overhead = (mean(rootRuns) / mean(userRuns) - 1) * 100;
console.log(`DescribeSecurityGroups signed v3: root ${mean(rootRuns).toFixed(0)} req/s, RAM user ${mean(userRuns).toFixed(0)} req/s; authorization adds ${overhead.toFixed(1)}% per request (goal < 10%)`);
if (userRuns.some((x) => x.non2xx > 0)) { console.log('FAIL: the RAM user was refused'); process.exitCode = 1; }
