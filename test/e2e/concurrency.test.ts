// Limits and names hold under concurrency: requests fired at once (on PostgreSQL, spread over
// two servers on one database) never exceed a quota, and concurrent duplicates answer exactly
// what a serial duplicate answers — never a 500. On SQLite one server takes them all.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import sshpk from 'sshpk';
import { startTestServer, freshSchema, dropSchema, ROOT, type TestServer } from '../helpers/server.ts';
import { buildSigned, send, type RawResponse } from '../helpers/sign.ts';
import { probedEngines } from '../helpers/stores.ts';

const R = 'cn-hangzhou';
const ECS = '2014-05-26';
const VPC = '2016-04-28';
const RAM = '2015-05-01';

const LIMITS = {
  PARAPET_LIMIT_SECURITY_GROUPS_PER_REGION: '10', PARAPET_LIMIT_RULES_PER_GROUP: '20', PARAPET_LIMIT_VPCS_PER_REGION: '6',
  PARAPET_LIMIT_KEY_PAIRS_PER_REGION: '3', PARAPET_LIMIT_RULES_PER_ENI: '25', PARAPET_LIMIT_PRIVATE_IPS_PER_BASIC_GROUP: '4',
};

function publicKey(): string {
  const { publicKey: pem } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return sshpk.parseKey(pem.export({ type: 'spki', format: 'pem' }).toString(), 'pem').toString('ssh');
}

// every engine probed before any suite is declared (test/helpers/stores.ts says why)
const probed = await probedEngines();
for (const { engine, skip } of probed) {
  describe(`limits and names under concurrency: ${engine.name}`, () => {
    if (skip !== undefined) {
      test(`skipped: ${skip}`, { skip });
      return;
    }
    const servers: TestServer[] = [];
    const schema = engine.name === 'postgres' ? freshSchema() : undefined;
    before(async () => {
      servers.push(await startTestServer({ engine: engine.name, env: LIMITS, ...(schema !== undefined ? { schema } : {}) }));
      if (schema !== undefined) servers.push(await startTestServer({ engine: 'postgres', env: LIMITS, schema }));
    });
    after(async () => {
      for (const s of servers) await s.stop();
      if (schema !== undefined) await dropSchema(schema);
    });

    let turn = 0;
    /** One signed call, on the servers in turn. */
    const call = (version: string, action: string, params: Record<string, string>): Promise<RawResponse> => {
      const s = servers[turn++ % servers.length]!;
      return send(s.endpoint, buildSigned({ endpoint: s.endpoint, ...ROOT, version, action, params }));
    };
    /** Fires all at once; every answer is a 200 or a 4xx with an Alibaba body, never a 5xx. */
    const all = async (reqs: Array<() => Promise<RawResponse>>): Promise<Map<string, number>> => {
      const out = await Promise.all(reqs.map((r) => r()));
      const tally = new Map<string, number>();
      for (const r of out) {
        assert.ok(r.status < 500, `a concurrent request answered ${r.status}: ${r.body.slice(0, 300)}`);
        const k = r.status === 200 ? 'ok' : String(r.json?.['Code']);
        tally.set(k, (tally.get(k) ?? 0) + 1);
      }
      return tally;
    };
    const ok = (json: RawResponse) => {
      assert.equal(json.status, 200, json.body);
      return json.json!;
    };

    test('security groups per region: 30 at once against a quota of 10', async () => {
      const vpcId = String(ok(await call(VPC, 'CreateVpc', { RegionId: 'cn-beijing', CidrBlock: '10.0.0.0/16' }))['VpcId']);
      const tally = await all(Array.from({ length: 30 }, () => () => call(ECS, 'CreateSecurityGroup', { RegionId: 'cn-beijing', VpcId: vpcId })));
      assert.deepEqual(Object.fromEntries(tally), { ok: 10, 'QuotaExceed.SecurityGroup': 20 });
      const listed = ok(await call(ECS, 'DescribeSecurityGroups', { RegionId: 'cn-beijing', PageSize: '50' }));
      assert.equal(listed['TotalCount'], 10);
    });

    test('VPCs per region: 15 at once against a quota of 6', async () => {
      const tally = await all(Array.from({ length: 15 }, (_, i) => () => call(VPC, 'CreateVpc', { RegionId: 'cn-shenzhen', CidrBlock: `10.${i}.0.0/16` })));
      assert.equal(tally.get('ok'), 6);
      assert.equal(ok(await call(VPC, 'DescribeVpcs', { RegionId: 'cn-shenzhen', PageSize: '50' }))['TotalCount'], 6);
    });

    let group = '';
    test('rules per group: 50 different rules at once against a limit of 20; the same rule 10 times at once is one rule', async () => {
      const vpcId = String(ok(await call(VPC, 'CreateVpc', { RegionId: R, CidrBlock: '172.16.0.0/16' }))['VpcId']);
      group = String(ok(await call(ECS, 'CreateSecurityGroup', { RegionId: R, VpcId: vpcId }))['SecurityGroupId']);
      const rule = (port: number) => ({ RegionId: R, SecurityGroupId: group, 'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': `${port}/${port}`, 'Permissions.1.SourceCidrIp': '10.0.0.0/8' });
      const same = await all(Array.from({ length: 10 }, () => () => call(ECS, 'AuthorizeSecurityGroup', rule(9999))));
      assert.deepEqual(Object.fromEntries(same), { ok: 10 }, 'a duplicate authorization succeeds and adds nothing, as a serial one does');
      const tally = await all(Array.from({ length: 50 }, (_, i) => () => call(ECS, 'AuthorizeSecurityGroup', rule(1000 + i))));
      assert.deepEqual(Object.fromEntries(tally), { ok: 19, AuthorizationLimitExceed: 31 });
      const perms = ok(await call(ECS, 'DescribeSecurityGroupAttribute', { RegionId: R, SecurityGroupId: group }))['Permissions'] as { Permission: unknown[] };
      assert.equal(perms.Permission.length, 20);
    });

    test('members per group: 5 ENIs at once join a group of limit 4 that has 1', async () => {
      const vpcId = String(ok(await call(VPC, 'CreateVpc', { RegionId: 'cn-qingdao', CidrBlock: '192.168.0.0/16' }))['VpcId']);
      const vsw = String(ok(await call(VPC, 'CreateVSwitch', { RegionId: 'cn-qingdao', VpcId: vpcId, ZoneId: 'cn-qingdao-b', CidrBlock: '192.168.1.0/24' }))['VSwitchId']);
      const target = String(ok(await call(ECS, 'CreateSecurityGroup', { RegionId: 'cn-qingdao', VpcId: vpcId }))['SecurityGroupId']);
      ok(await call(ECS, 'CreateNetworkInterface', { RegionId: 'cn-qingdao', VSwitchId: vsw, 'SecurityGroupIds.1': target }));
      // five ENIs at once: every private IP differs, never a duplicate-address 500
      const homes: string[] = [];
      for (let i = 0; i < 5; i++) homes.push(String(ok(await call(ECS, 'CreateSecurityGroup', { RegionId: 'cn-qingdao', VpcId: vpcId }))['SecurityGroupId']));
      const made = await Promise.all(homes.map((home) => call(ECS, 'CreateNetworkInterface', { RegionId: 'cn-qingdao', VSwitchId: vsw, 'SecurityGroupIds.1': home })));
      const enis = made.map((r) => String(ok(r)['NetworkInterfaceId']));
      const ips = made.map((r) => String(r.json!['PrivateIpAddress']));
      assert.equal(new Set(ips).size, 5);
      const tally = await all(enis.map((e) => () => call(ECS, 'JoinSecurityGroup', { RegionId: 'cn-qingdao', SecurityGroupId: target, NetworkInterfaceId: e })));
      assert.deepEqual(Object.fromEntries(tally), { ok: 3, SecurityGroupInstanceLimitExceeded: 2 });
    });

    test('RAM: AccessKeys per user (2), groups per user (5), and a user created 10 times at once', async () => {
      const users = await all(Array.from({ length: 10 }, () => () => call(RAM, 'CreateUser', { UserName: 'racer' })));
      assert.deepEqual(Object.fromEntries(users), { ok: 1, 'EntityAlreadyExists.User': 9 });
      const keys = await all(Array.from({ length: 8 }, () => () => call(RAM, 'CreateAccessKey', { UserName: 'racer' })));
      assert.deepEqual(Object.fromEntries(keys), { ok: 2, 'LimitExceeded.User.AccessKey': 6 });
      for (let i = 0; i < 7; i++) ok(await call(RAM, 'CreateGroup', { GroupName: `team${i}` }));
      const joins = await all(Array.from({ length: 7 }, (_, i) => () => call(RAM, 'AddUserToGroup', { UserName: 'racer', GroupName: `team${i}` })));
      assert.deepEqual(Object.fromEntries(joins), { ok: 5, 'LimitExceeded.User.Group': 2 });
      const listed = ok(await call(RAM, 'ListAccessKeys', { UserName: 'racer' }))['AccessKeys'] as { AccessKey: unknown[] };
      assert.equal(listed.AccessKey.length, 2);
    });

    test('key pairs per region: 8 names at once against a quota of 3; one name 6 times at once', async () => {
      const dup = await all(Array.from({ length: 6 }, () => () => call(ECS, 'ImportKeyPair', { RegionId: 'cn-shanghai', KeyPairName: 'same', PublicKeyBody: publicKey() })));
      assert.deepEqual(Object.fromEntries(dup), { ok: 1, 'KeyPair.AlreadyExist': 5 });
      const tally = await all(Array.from({ length: 8 }, (_, i) => () => call(ECS, 'ImportKeyPair', { RegionId: 'cn-shanghai', KeyPairName: `k${i}`, PublicKeyBody: publicKey() })));
      assert.deepEqual(Object.fromEntries(tally), { ok: 2, 'QuotaExceed.KeyPair': 6 });
    });
  });
}
