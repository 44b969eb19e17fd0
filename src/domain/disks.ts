// Disks (DescribeDisks), read-only: Parapet keeps no disks of its own, so each instance has one
// system disk derived from it: its id `d-…` is the instance's id with the other prefix (stable for
// the instance's life, never another instance's), an ESSD of 40 GiB made from the instance's
// image at its creation, attached as /dev/xvda and so `In_use` for the instance's whole life,
// stopped or running, as a system disk is on the real service (`Available` is a disk attached to
// nothing, which a system disk never is).
import type { CallContext } from './context.ts';
import { inventoryOf, type Instance } from './instances.ts';
import { type Page, pageOf } from './paging.ts';
import { requireRegion } from './regions.ts';

export interface Disk {
  diskId: string;
  regionId: string;
  zoneId: string;
  instanceId: string;
  imageId: string;
  category: 'cloud_essd';
  type: 'system';
  size: number;
  device: string;
  status: 'In_use' | 'Available';
  creationTime: string;
}

export const SYSTEM_DISK_SIZE_GIB = 40;

/** The system disk's id of an instance: `i-abc` → `d-abc`. */
export const systemDiskId = (instanceId: string): string => 'd-' + instanceId.replace(/^i-/, '');

export function systemDiskOf(i: Instance): Disk {
  return {
    diskId: systemDiskId(i.instanceId), regionId: i.regionId, zoneId: i.zoneId, instanceId: i.instanceId, imageId: i.imageId,
    category: 'cloud_essd', type: 'system', size: SYSTEM_DISK_SIZE_GIB, device: '/dev/xvda',
    status: 'In_use', creationTime: i.creationTime,
  };
}

export interface DescribeDisksParams {
  regionId: string;
  diskIds?: string[] | undefined;
  instanceId?: string | undefined;
  zoneId?: string | undefined;
  diskType?: string | undefined;
  category?: string | undefined;
  status?: string | undefined;
  pageNumber?: number | undefined;
  pageSize?: number | undefined;
}

const given = (v: string | undefined): v is string => v !== undefined && v !== '' && v.toLowerCase() !== 'all';

/** The region's disks of the account, filtered (an unknown id or value matches nothing), newest instance first. */
export async function describeDisks(ctx: CallContext, p: DescribeDisksParams): Promise<Page<Disk>> {
  requireRegion(p.regionId);
  const ids = p.diskIds !== undefined && p.diskIds.length > 0 ? new Set(p.diskIds) : undefined;
  const disks = (await inventoryOf(ctx, p.regionId)).instances.map(systemDiskOf).filter((d) =>
    (ids === undefined || ids.has(d.diskId))
    && (p.instanceId === undefined || p.instanceId === '' || d.instanceId === p.instanceId)
    && (p.zoneId === undefined || p.zoneId === '' || d.zoneId === p.zoneId)
    && (!given(p.diskType) || d.type === p.diskType)
    && (!given(p.category) || d.category === p.category)
    && (!given(p.status) || d.status === p.status));
  return pageOf(disks, p.pageNumber, p.pageSize, 100);
}
