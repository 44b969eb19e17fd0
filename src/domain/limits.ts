// Quotas and limits, as configuration with SPEC/ALIBABA-FACTS values as defaults.
export interface Limits {
  vpcsPerRegion: number;
  vswitchesPerVpc: number;
  securityGroupsPerRegion: number;
  /** ingress and egress together (SPEC §7) */
  rulesPerGroup: number;
  groupsPerEni: number;
  /** rules of all the groups of one ENI together (SPEC §1.3) */
  rulesPerEni: number;
  /** private IPs (member ENIs) per group, SPEC §1.1 */
  privateIpsPerBasicGroup: number;
  privateIpsPerAdvancedGroup: number;
  /** SSH key pairs per account and region (ALIBABA-FACTS §4.9) */
  keyPairsPerRegion: number;
}

export const DEFAULT_LIMITS: Limits = {
  vpcsPerRegion: 10,
  vswitchesPerVpc: 150,
  securityGroupsPerRegion: 100,
  rulesPerGroup: 200,
  groupsPerEni: 5,
  rulesPerEni: 1000,
  privateIpsPerBasicGroup: 2000,
  privateIpsPerAdvancedGroup: 65536,
  keyPairsPerRegion: 500,
};

/** where public IPv4 addresses come from unless PARAPET_PUBLIC_IP_POOL says otherwise */
export const PUBLIC_IP_POOL = '203.0.113.0/24';
