// The fixed catalogues of public images and instance types. Bandwidth and packet rates are the
// instance type's (SPEC §5: they bound the Anti-DDoS thresholds).
export interface Image {
  imageId: string;
  imageName: string;
  osType: 'linux' | 'windows';
  osName: string;
  platform: string;
  architecture: 'x86_64';
  size: number;
}

export const IMAGES: readonly Image[] = [
  { imageId: 'ubuntu_22_04_x64_20G_alibase_20240101.vhd', imageName: 'ubuntu_22_04_x64_20G_alibase_20240101.vhd', osType: 'linux', osName: 'Ubuntu 22.04 64位', platform: 'Ubuntu', architecture: 'x86_64', size: 20 },
  { imageId: 'aliyun_3_x64_20G_alibase_20240101.vhd', imageName: 'aliyun_3_x64_20G_alibase_20240101.vhd', osType: 'linux', osName: 'Alibaba Cloud Linux 3', platform: 'Aliyun', architecture: 'x86_64', size: 20 },
  { imageId: 'centos_7_9_x64_20G_alibase_20240101.vhd', imageName: 'centos_7_9_x64_20G_alibase_20240101.vhd', osType: 'linux', osName: 'CentOS 7.9 64位', platform: 'CentOS', architecture: 'x86_64', size: 20 },
  { imageId: 'debian_12_x64_20G_alibase_20240101.vhd', imageName: 'debian_12_x64_20G_alibase_20240101.vhd', osType: 'linux', osName: 'Debian 12 64位', platform: 'Debian', architecture: 'x86_64', size: 20 },
  { imageId: 'win2022_21H2_x64_dtc_en-us_40G_alibase_20240101.vhd', imageName: 'win2022_21H2_x64_dtc_en-us_40G_alibase_20240101.vhd', osType: 'windows', osName: 'Windows Server 2022 数据中心版 64位英文版', platform: 'Windows Server 2022', architecture: 'x86_64', size: 40 },
  { imageId: 'win2019_1809_x64_dtc_en-us_40G_alibase_20240101.vhd', imageName: 'win2019_1809_x64_dtc_en-us_40G_alibase_20240101.vhd', osType: 'windows', osName: 'Windows Server 2019 数据中心版 64位英文版', platform: 'Windows Server 2019', architecture: 'x86_64', size: 40 },
];

export interface InstanceTypeInfo {
  instanceTypeId: string;
  family: string;
  cpuCoreCount: number;
  memorySize: number;
  /** Mbit/s */
  bandwidth: number;
  /** packets per second */
  pps: number;
  eniQuantity: number;
  /** phased out: still runs, can't take new key pairs (SPEC §2) */
  phasedOut: boolean;
}

export const INSTANCE_TYPES: readonly InstanceTypeInfo[] = [
  { instanceTypeId: 'ecs.t5-lc1m1.small', family: 'ecs.t5', cpuCoreCount: 1, memorySize: 1, bandwidth: 100, pps: 50000, eniQuantity: 1, phasedOut: false },
  { instanceTypeId: 'ecs.c6.large', family: 'ecs.c6', cpuCoreCount: 2, memorySize: 4, bandwidth: 1000, pps: 300000, eniQuantity: 2, phasedOut: false },
  { instanceTypeId: 'ecs.g5.large', family: 'ecs.g5', cpuCoreCount: 2, memorySize: 8, bandwidth: 1000, pps: 300000, eniQuantity: 2, phasedOut: false },
  { instanceTypeId: 'ecs.g5.xlarge', family: 'ecs.g5', cpuCoreCount: 4, memorySize: 16, bandwidth: 1500, pps: 500000, eniQuantity: 3, phasedOut: false },
  { instanceTypeId: 'ecs.g5.2xlarge', family: 'ecs.g5', cpuCoreCount: 8, memorySize: 32, bandwidth: 2500, pps: 800000, eniQuantity: 4, phasedOut: false },
  { instanceTypeId: 'ecs.g5.4xlarge', family: 'ecs.g5', cpuCoreCount: 16, memorySize: 64, bandwidth: 5000, pps: 1000000, eniQuantity: 8, phasedOut: false },
  { instanceTypeId: 'ecs.g5.8xlarge', family: 'ecs.g5', cpuCoreCount: 32, memorySize: 128, bandwidth: 10000, pps: 2000000, eniQuantity: 8, phasedOut: false },
  { instanceTypeId: 'ecs.g5.16xlarge', family: 'ecs.g5', cpuCoreCount: 64, memorySize: 256, bandwidth: 20000, pps: 4000000, eniQuantity: 8, phasedOut: false },
  { instanceTypeId: 'ecs.s2.large', family: 'ecs.s2', cpuCoreCount: 2, memorySize: 4, bandwidth: 200, pps: 100000, eniQuantity: 1, phasedOut: true },
];

const IMAGE_BY_ID = new Map(IMAGES.map((i) => [i.imageId, i]));
const TYPE_BY_ID = new Map(INSTANCE_TYPES.map((t) => [t.instanceTypeId, t]));

export function findImage(id: string): Image | undefined { return IMAGE_BY_ID.get(id); }
export function findInstanceType(id: string): InstanceTypeInfo | undefined { return TYPE_BY_ID.get(id); }
