// The fixed catalogue of regions and zones Parapet serves, and the one check that a region exists.
import { apiError } from './errors.ts';
export interface Region {
  id: string;
  localName: string;
  /** the name DescribeRegions gives with `AcceptLanguage=en-US` */
  englishName: string;
  zones: string[];
  /** per-region internal range that classic-network instances draw their intranet IPs from */
  classicCidr: string;
}

export const REGIONS: readonly Region[] = [
  { id: 'cn-qingdao', localName: '华北1（青岛）', englishName: 'China (Qingdao)', zones: ['cn-qingdao-b', 'cn-qingdao-c'], classicCidr: '10.116.0.0/16' },
  { id: 'cn-beijing', localName: '华北2（北京）', englishName: 'China (Beijing)', zones: ['cn-beijing-a', 'cn-beijing-c', 'cn-beijing-g', 'cn-beijing-h'], classicCidr: '10.117.0.0/16' },
  { id: 'cn-zhangjiakou', localName: '华北3（张家口）', englishName: 'China (Zhangjiakou)', zones: ['cn-zhangjiakou-a', 'cn-zhangjiakou-b'], classicCidr: '10.118.0.0/16' },
  { id: 'cn-hangzhou', localName: '华东1（杭州）', englishName: 'China (Hangzhou)', zones: ['cn-hangzhou-b', 'cn-hangzhou-g', 'cn-hangzhou-h', 'cn-hangzhou-i'], classicCidr: '10.111.0.0/16' },
  { id: 'cn-shanghai', localName: '华东2（上海）', englishName: 'China (Shanghai)', zones: ['cn-shanghai-a', 'cn-shanghai-b', 'cn-shanghai-e'], classicCidr: '10.112.0.0/16' },
  { id: 'cn-shenzhen', localName: '华南1（深圳）', englishName: 'China (Shenzhen)', zones: ['cn-shenzhen-a', 'cn-shenzhen-d', 'cn-shenzhen-e'], classicCidr: '10.113.0.0/16' },
  { id: 'cn-hongkong', localName: '中国香港', englishName: 'China (Hong Kong)', zones: ['cn-hongkong-b', 'cn-hongkong-c'], classicCidr: '10.114.0.0/16' },
  { id: 'ap-southeast-1', localName: '新加坡', englishName: 'Singapore', zones: ['ap-southeast-1a', 'ap-southeast-1b', 'ap-southeast-1c'], classicCidr: '10.115.0.0/16' },
  { id: 'us-west-1', localName: '美国（硅谷）', englishName: 'US (Silicon Valley)', zones: ['us-west-1a', 'us-west-1b'], classicCidr: '10.119.0.0/16' },
  { id: 'eu-central-1', localName: '德国（法兰克福）', englishName: 'Germany (Frankfurt)', zones: ['eu-central-1a', 'eu-central-1b'], classicCidr: '10.120.0.0/16' },
];

const BY_ID = new Map(REGIONS.map((r) => [r.id, r]));

export function findRegion(id: string): Region | undefined {
  return BY_ID.get(id);
}

/** The region, or the Alibaba error for an unknown one. */
export function requireRegion(regionId: string): Region {
  const region = findRegion(regionId);
  if (region === undefined) throw apiError('InvalidRegionId.NotFound', { regionId });
  return region;
}

/** A region's name in the language DescribeRegions is asked for: English for `en-US`, Chinese otherwise (the default, `zh-CN`). */
export function regionName(region: Region, acceptLanguage: string | undefined): string {
  return acceptLanguage?.toLowerCase() === 'en-us' ? region.englishName : region.localName;
}
