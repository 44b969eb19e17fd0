// ECS 2014-05-26: DescribeDisks, read-only over the system disk each instance has
// (domain/disks.ts). The answer has the ECS reference's fields; what Parapet has no notion of
// (snapshots, charging, encryption) answers as a plain pay-as-you-go unencrypted disk would.
import { z } from 'zod';
import { op, arn } from '../catalog.ts';
import { t } from '../params.ts';
import * as disks from '../../domain/disks.ts';

const wireDisk = (d: disks.Disk) => ({
  DiskId: d.diskId, DiskName: '', Description: '', RegionId: d.regionId, ZoneId: d.zoneId, Type: d.type, Category: d.category,
  Size: d.size, Encrypted: false, KMSKeyId: '', ImageId: d.imageId, SourceSnapshotId: '', AutoSnapshotPolicyId: '', ProductCode: '',
  Portable: false, Status: d.status, InstanceId: d.instanceId, Device: d.device, DeleteWithInstance: true, DeleteAutoSnapshot: true,
  EnableAutoSnapshot: false, EnableAutomatedSnapshotPolicy: false, CreationTime: d.creationTime, AttachedTime: d.creationTime, DetachedTime: '',
  DiskChargeType: 'PostPaid', ExpiredTime: '', PerformanceLevel: 'PL0', BdfId: '', MultiAttach: 'Disabled', ResourceGroupId: '', SerialNumber: '',
  IOPS: 0, IOPSRead: 0, IOPSWrite: 0, StorageSetId: '', StorageSetPartitionNumber: 0,
  OperationLocks: { OperationLock: [] }, MountInstances: { MountInstance: [] }, Tags: { Tag: [] },
  Attachments: { Attachment: [{ InstanceId: d.instanceId, Device: d.device, AttachedTime: d.creationTime }] },
});

export const diskOperations = [
  op({
    product: 'ecs', action: 'DescribeDisks', ramAction: 'ecs:DescribeDisks',
    params: z.object({
      RegionId: t.str(64), ZoneId: t.str(64).optional(), DiskIds: t.jsonList(t.str(128), 100).optional(), InstanceId: t.str(128).optional(),
      DiskType: t.str(16).optional(), Category: t.str(32).optional(), Status: t.str(32).optional(), PageNumber: t.int().optional(),
      PageSize: t.int().optional(), DryRun: t.bool().optional(),
    }),
    resources: (p, account) => [arn('ecs', p.RegionId, account, 'disk/*')],
    handler: async (ctx, p) => {
      const page = await disks.describeDisks(ctx, { regionId: p.RegionId, zoneId: p.ZoneId, diskIds: p.DiskIds, instanceId: p.InstanceId, diskType: p.DiskType, category: p.Category, status: p.Status, pageNumber: p.PageNumber, pageSize: p.PageSize });
      return { TotalCount: page.totalCount, PageNumber: page.pageNumber, PageSize: page.pageSize, Disks: { Disk: page.items.map(wireDisk) } };
    },
  }),
];
