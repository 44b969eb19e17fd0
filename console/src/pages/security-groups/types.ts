// The security-group pages' shared shapes: DescribeSecurityGroups' wire group, and the group the
// detail page hands its tabs (the Rules tab is another file, RulesTab.tsx).

export interface WireTag { TagKey: string; TagValue: string }

/** One entry of DescribeSecurityGroups' `SecurityGroups.SecurityGroup`. */
export interface WireGroup {
  SecurityGroupId: string;
  SecurityGroupName: string;
  Description: string;
  SecurityGroupType: 'normal' | 'enterprise';
  VpcId: string;
  CreationTime: string;
  ResourceGroupId?: string;
  RuleCount?: number;
  EcsCount?: number;
  Tags?: { Tag: WireTag[] };
}

export interface DescribeSecurityGroupsAnswer {
  TotalCount: number;
  PageNumber: number;
  PageSize: number;
  SecurityGroups: { SecurityGroup: WireGroup[] };
}

export type NetworkType = 'vpc' | 'classic';

/** The group a detail tab works on. */
export interface SecurityGroupInfo {
  regionId: string;
  securityGroupId: string;
  name: string;
  description: string;
  /** '' on the classic network */
  vpcId: string;
  networkType: NetworkType;
  /** `normal` is a basic group, `enterprise` an advanced one */
  type: 'normal' | 'enterprise';
}

/** A group's network type: classic when it has no VPC (the wire group carries no NetworkType). */
export function networkTypeOf(g: { VpcId: string }): NetworkType {
  return g.VpcId === '' ? 'classic' : 'vpc';
}

export function infoOf(regionId: string, g: WireGroup): SecurityGroupInfo {
  return {
    regionId, securityGroupId: g.SecurityGroupId, name: g.SecurityGroupName, description: g.Description,
    vpcId: g.VpcId, networkType: networkTypeOf(g), type: g.SecurityGroupType,
  };
}

export { formatDate } from '../../format.ts';
