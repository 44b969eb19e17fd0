// Export Rules (ECS security guide §1.11.4): the file ExportSecurityGroupRules writes
// (`ecs_{regionId}_{groupId}.json`, or `ecs_sgRule_{groupId}_{regionId}_{date}.csv`), saved by the
// browser as a download.
import { call } from '../../../api.ts';
import type { SecurityGroupInfo } from '../types.ts';

export type ExportFormat = 'json' | 'csv';

interface ExportAnswer { FileName: string; Content: string }

export async function exportRules(group: SecurityGroupInfo, format: ExportFormat): Promise<string> {
  // `Format` is also the RPC protocol's response format: json is the operation's default, so only csv is named
  const r = await call<ExportAnswer>('parapet', 'ExportSecurityGroupRules', {
    RegionId: group.regionId, SecurityGroupId: group.securityGroupId, ...(format === 'csv' ? { Format: 'csv' } : {}),
  });
  const blob = new Blob([r.Content], { type: format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = r.FileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // the download has started by the time the click returns; the URL is released a little later
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return r.FileName;
}
