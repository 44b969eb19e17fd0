// Run by test/e2e/https.test.ts in a child process whose only trust in Parapet's CA is
// NODE_EXTRA_CA_CERTS (read by Node at start), as a user would set it up: clients that call over
// https only, unmodified. Prints one JSON line.
//   sts-sdk <endpoint> <accessKeyId> <secret> <roleArn>: @alicloud/sts-sdk 1.0 GetCallerIdentity and AssumeRole
//   ram-role-arn <stsEndpoint> <ecsEndpoint> <accessKeyId> <secret> <roleArn>: the @alicloud/credentials
//     ram_role_arn provider fetches credentials from Parapet's STS; the ECS SDK uses them over https
import StsSdk from '@alicloud/sts-sdk';
import CredentialModule, { Config as CredentialConfig } from '@alicloud/credentials';
import EcsModule from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';

const [mode, ...args] = process.argv.slice(2);
try {
  if (mode === 'sts-sdk') {
    const [endpoint, accessKeyId, accessKeySecret, roleArn] = args;
    const sts = new StsSdk({ endpoint, accessKeyId, accessKeySecret });
    const who = await sts.getCallerIdentity();
    const assumed = await sts.assumeRole(roleArn, 'sts-sdk-session');
    process.stdout.write(JSON.stringify({ who, assumed }) + '\n');
  } else if (mode === 'ram-role-arn') {
    const [stsEndpoint, ecsEndpoint, accessKeyId, accessKeySecret, roleArn] = args;
    const credential = new CredentialModule.default(new CredentialConfig({ type: 'ram_role_arn', accessKeyId, accessKeySecret, roleArn, roleSessionName: 'provider-session', stsEndpoint }));
    const c = await credential.getCredential();
    const ecs = new EcsModule.default(new $OpenApiUtil.Config({ credential, endpoint: ecsEndpoint, protocol: 'https', regionId: 'cn-hangzhou' }));
    const regions = await ecs.describeRegions(new EcsModule.DescribeRegionsRequest({}));
    process.stdout.write(JSON.stringify({ accessKeyId: c.accessKeyId, hasToken: (c.securityToken ?? '').length > 0, regions: regions.body.regions.region.length }) + '\n');
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} catch (e) {
  process.stdout.write(JSON.stringify({ error: String(e && e.message ? e.message : e), code: e && e.code }) + '\n');
}
