// The host names clients use for Alibaba Cloud's APIs (`ecs.aliyuncs.com`,
// `ecs-cn-hangzhou.aliyuncs.com`, `ecs.cn-hangzhou.aliyuncs.com`, `sts-vpc.cn-hangzhou.aliyuncs.com`,
// ...), for the two places Parapet answers under them: the TLS server certificate (wildcards, which
// cover one label each) and the hosts file of every instance on the data plane (exact names: a
// hosts file has no wildcards). Both follow the region catalogue (regions.ts).
import { REGIONS } from './regions.ts';

export const ENDPOINT_DOMAIN = 'aliyuncs.com';

/** The products Parapet serves, by the first label of their endpoints (`tds`: Security Center, sas; `cbn`: CEN). */
const PRODUCTS = ['ecs', 'vpc', 'ram', 'sts', 'antiddos', 'tds', 'cbn'] as const;

/**
 * The DNS names of the server certificate besides the loopback ones: `*.aliyuncs.com` (global and
 * `ecs-cn-hangzhou` style endpoints) and `*.{region}.aliyuncs.com` for each region.
 */
export function certificateWildcards(): string[] {
  return [`*.${ENDPOINT_DOMAIN}`, ...REGIONS.map((r) => `*.${r.id}.${ENDPOINT_DOMAIN}`)];
}

/**
 * Every endpoint name of the products Parapet serves: the global one (`ecs.aliyuncs.com`) and, per
 * region, the public (`ecs.cn-hangzhou.aliyuncs.com`), the older hyphenated one the ECS SDK's
 * endpoint map uses (`ecs-cn-hangzhou.aliyuncs.com`) and the VPC one (`ecs-vpc.cn-hangzhou.aliyuncs.com`);
 * and Anti-DDoS Basic's regional one (`antiddos-openapi.cn-zhangjiakou.aliyuncs.com`, where its
 * SDK's endpoint map has one; `antiddos.aliyuncs.com` elsewhere).
 */
export function endpointHostNames(): string[] {
  const names: string[] = [];
  for (const p of PRODUCTS) names.push(`${p}.${ENDPOINT_DOMAIN}`);
  for (const r of REGIONS) {
    for (const p of PRODUCTS) names.push(`${p}.${r.id}.${ENDPOINT_DOMAIN}`, `${p}-${r.id}.${ENDPOINT_DOMAIN}`, `${p}-vpc.${r.id}.${ENDPOINT_DOMAIN}`);
    names.push(`antiddos-openapi.${r.id}.${ENDPOINT_DOMAIN}`);
  }
  return names;
}
