// ECS 2014-05-26: the VPC operations as the ECS API still serves them (CreateVpc, DescribeVpcs,
// ModifyVpcAttribute, DeleteVpc, CreateVSwitch, DescribeVSwitches, DeleteVSwitch). Older clients
// (aliyun-sdk, fog-aliyun, aliyungo's ecs package) only know this form. They are the VPC API's own
// entries (vpc.ts) under the ECS product: the same domain functions and state, the same parameters
// (the ECS form's are a subset; the rest are ignored as for any unknown parameter), the same RAM
// actions (`vpc:CreateVpc`, …: the ECS API's RAM code covers `ecs` and `vpc`, and a policy that
// grants a VPC action should not depend on which version a client speaks) and the same ARNs. The
// answers are the VPC API's shapes, a superset of the ECS reference's fields.
import type { Operation } from '../catalog.ts';
import { vpcOperations } from './vpc.ts';

const ECS_FORM = new Set(['CreateVpc', 'DescribeVpcs', 'ModifyVpcAttribute', 'DeleteVpc', 'CreateVSwitch', 'DescribeVSwitches', 'DeleteVSwitch']);

export const ecsVpcOperations: Operation[] = vpcOperations
  .filter((o) => ECS_FORM.has(o.action))
  .map((o) => ({ ...o, product: 'ecs' }));
