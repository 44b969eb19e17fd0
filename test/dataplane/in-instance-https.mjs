// Runs inside an instance's network namespace (test/dataplane/https.test.ts starts it with
// `ip netns exec` and NODE_EXTRA_CA_CERTS set to Parapet's CA): stock SDK code with its default
// https endpoints, unmodified, resolves them through the instance's hosts file to 100.100.100.100
// and reaches Parapet's TLS listener. Prints one JSON line.
import EcsModule from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import StsSdk from '@alicloud/sts-sdk';

const [accessKeyId, accessKeySecret] = process.argv.slice(2);
const out = {};
// no endpoint: the SDK picks its own for the region (ecs-cn-hangzhou.aliyuncs.com), over https
const byRegion = new EcsModule.default(new $OpenApiUtil.Config({ accessKeyId, accessKeySecret, regionId: 'cn-hangzhou' }));
out.defaultEndpoint = byRegion._endpoint;
out.regions = (await byRegion.describeRegions(new EcsModule.DescribeRegionsRequest({}))).body.regions.region.length;
const regional = new EcsModule.default(new $OpenApiUtil.Config({ accessKeyId, accessKeySecret, regionId: 'cn-hangzhou', endpoint: 'ecs.cn-hangzhou.aliyuncs.com', protocol: 'https' }));
out.groups = (await regional.describeSecurityGroups(new EcsModule.DescribeSecurityGroupsRequest({ regionId: 'cn-hangzhou' }))).body.totalCount;
// the https-only STS client at its global endpoint
const who = await new StsSdk({ endpoint: 'sts.aliyuncs.com', accessKeyId, accessKeySecret }).getCallerIdentity();
out.accountId = who.AccountId;
process.stdout.write(JSON.stringify(out) + '\n');
