// Runs inside an instance's network namespace (test/dataplane/services.test.ts starts it with
// `ip netns exec`): the stock @alicloud/credentials `ecs_ram_role` provider, unmodified, fetches the
// instance role's credentials from 100.100.100.200, and the VPC SDK calls Parapet at
// 100.100.100.100 with them. Prints one JSON line.
import CredentialModule, { Config as CredentialConfig } from '@alicloud/credentials';
import VpcModule from '@alicloud/vpc20160428';
import { $OpenApiUtil } from '@alicloud/openapi-core';

const [region, roleName] = process.argv.slice(2);
const credential = new CredentialModule.default(new CredentialConfig({ type: 'ecs_ram_role', ...(roleName ? { roleName } : {}) }));
const c = await credential.getCredential();
const vpc = new VpcModule.default(new $OpenApiUtil.Config({ credential, endpoint: '100.100.100.100', protocol: 'http', regionId: region! }));
const vpcs = await vpc.describeVpcs(new VpcModule.DescribeVpcsRequest({ regionId: region! }));
let denied = '';
try {
  await vpc.createVpc(new VpcModule.CreateVpcRequest({ regionId: region! }));
} catch (e) {
  denied = (e as { code?: string }).code ?? String(e);
}
process.stdout.write(JSON.stringify({ accessKeyId: c.accessKeyId, hasToken: (c.securityToken ?? '').length > 0, vpcs: vpcs.body!.totalCount, denied }) + '\n');
