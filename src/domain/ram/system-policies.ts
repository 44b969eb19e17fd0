// The system policies every account sees (PolicyType=System), with realistic documents.
export interface SystemPolicy { name: string; description: string; document: string }

const doc = (statements: Array<Record<string, unknown>>) => JSON.stringify({ Version: '1', Statement: statements });

export const SYSTEM_POLICIES: readonly SystemPolicy[] = [
  { name: 'AdministratorAccess', description: 'Provides full access to Alibaba Cloud services and resources.', document: doc([{ Action: '*', Resource: '*', Effect: 'Allow' }]) },
  { name: 'ReadOnlyAccess', description: 'Provides read-only access to Alibaba Cloud services and resources.', document: doc([{ Action: ['*:Describe*', '*:List*', '*:Get*', '*:BatchGet*', '*:Query*', '*:BatchQuery*'], Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunECSFullAccess', description: 'Provides full access to Elastic Compute Service(ECS) via Management Console.', document: doc([{ Action: 'ecs:*', Resource: '*', Effect: 'Allow' }, { Action: ['vpc:DescribeVpcs', 'vpc:DescribeVSwitches'], Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunECSReadOnlyAccess', description: 'Provides read-only access to Elastic Compute Service(ECS) via Management Console.', document: doc([{ Action: ['ecs:Describe*', 'ecs:List*'], Resource: '*', Effect: 'Allow' }, { Action: ['vpc:DescribeVpcs', 'vpc:DescribeVSwitches'], Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunECSNetworkInterfaceManagementAccess', description: 'Provides ECS elastic network interface management access.', document: doc([{ Action: ['ecs:*NetworkInterface*', 'ecs:DescribeInstances', 'ecs:DescribeSecurityGroups'], Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunVPCFullAccess', description: 'Provides full access to Virtual Private Cloud(VPC) via Management Console.', document: doc([{ Action: 'vpc:*', Resource: '*', Effect: 'Allow' }, { Action: ['ecs:DescribeInstances', 'ecs:DescribeSecurityGroups'], Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunVPCReadOnlyAccess', description: 'Provides read-only access to Virtual Private Cloud(VPC) via Management Console.', document: doc([{ Action: ['vpc:Describe*', 'vpc:Get*', 'vpc:List*'], Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunRAMFullAccess', description: 'Provides full access to Resource Access Management(RAM).', document: doc([{ Action: 'ram:*', Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunRAMReadOnlyAccess', description: 'Provides read-only access to Resource Access Management(RAM).', document: doc([{ Action: ['ram:Get*', 'ram:List*'], Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunSTSAssumeRoleAccess', description: 'Provides access to call Security Token Service(STS) AssumeRole interface.', document: doc([{ Action: 'sts:AssumeRole', Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunYundunDDosFullAccess', description: 'Provides full access to Anti-DDoS Basic via Management Console.', document: doc([{ Action: 'yundun-ddos:*', Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunYundunDDosReadOnlyAccess', description: 'Provides read-only access to Anti-DDoS Basic via Management Console.', document: doc([{ Action: ['yundun-ddos:Get*', 'yundun-ddos:Describe*', 'yundun-ddos:Query*', 'yundun-ddos:List*'], Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunYundunSASFullAccess', description: 'Provides full access to Security Center via Management Console.', document: doc([{ Action: ['yundun-sas:*', 'yundun-aegis:*'], Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunYundunSASReadOnlyAccess', description: 'Provides read-only access to Security Center via Management Console.', document: doc([{ Action: ['yundun-sas:Describe*', 'yundun-sas:List*', 'yundun-sas:Get*', 'yundun-sas:Query*', 'yundun-aegis:Describe*', 'yundun-aegis:List*', 'yundun-aegis:Get*', 'yundun-aegis:Query*'], Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunCENFullAccess', description: 'Provides full access to Cloud Enterprise Network(CEN) via Management Console.', document: doc([{ Action: 'cen:*', Resource: '*', Effect: 'Allow' }, { Action: ['vpc:DescribeVpcs', 'vpc:DescribeGrantRulesToCen'], Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunCENReadOnlyAccess', description: 'Provides read-only access to Cloud Enterprise Network(CEN) via Management Console.', document: doc([{ Action: ['cen:Describe*', 'cen:List*', 'cen:Get*'], Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunBSSOrderAccess', description: 'Provides access to order and pay via Billing and Cost Management.', document: doc([{ Action: ['bss:DescribeOrderList', 'bss:DescribeOrderDetail', 'bss:PayOrder', 'bss:CancelOrder'], Resource: '*', Effect: 'Allow' }]) },
  // the service roles' policies ECS documents for importing and exporting images (OSS on the
  // caller's behalf) and for encrypting disks with the caller's KMS keys; their actions are the
  // permissions Alibaba's guides list for those roles
  { name: 'AliyunECSImageImportDefaultRolePolicy', description: 'The default policy of the role ECS assumes to import images from OSS.', document: doc([{ Action: ['oss:GetObject', 'oss:GetBucketLocation', 'oss:GetBucketInfo', 'oss:ListObjects', 'oss:ListBuckets'], Resource: '*', Effect: 'Allow' }, { Action: ['ecs:CopySnapshot', 'ecs:CreateSnapshot', 'ecs:DeleteSnapshot', 'ecs:DescribeSnapshots', 'ecs:CreateImage', 'ecs:DescribeImages'], Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunECSImageExportDefaultRolePolicy', description: 'The default policy of the role ECS assumes to export images to OSS.', document: doc([{ Action: ['oss:GetObject', 'oss:PutObject', 'oss:DeleteObject', 'oss:GetBucketLocation', 'oss:GetBucketInfo', 'oss:AbortMultipartUpload', 'oss:ListMultipartUploads', 'oss:ListParts'], Resource: '*', Effect: 'Allow' }]) },
  { name: 'AliyunECSDiskEncryptDefaultRolePolicy', description: 'The default policy of the role ECS assumes to encrypt disks, snapshots and images with KMS keys.', document: doc([{ Action: ['kms:List*', 'kms:DescribeKey', 'kms:TagResource', 'kms:UntagResource', 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*', Effect: 'Allow' }]) },
];

const BY_NAME = new Map(SYSTEM_POLICIES.map((p) => [p.name, p]));
export function findSystemPolicy(name: string): SystemPolicy | undefined { return BY_NAME.get(name); }
