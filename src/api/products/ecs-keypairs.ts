// ECS 2014-05-26: SSH key pairs.
import { z } from 'zod';
import { op } from '../catalog.ts';
import { instanceArn, keyPairArn as kpArn } from '../../domain/arns.ts';
import { t } from '../params.ts';
import * as kp from '../../domain/keypairs.ts';


function bindOp(action: 'AttachKeyPair' | 'DetachKeyPair') {
  return op({
    product: 'ecs', action, ramAction: `ecs:${action}`,
    params: z.object({ RegionId: t.str(64), KeyPairName: t.str(256), InstanceIds: t.jsonList(t.str(128), 100) }),
    resources: (p, account) => [kpArn(p.RegionId, account, p.KeyPairName), ...p.InstanceIds.map((id) => instanceArn(p.RegionId, account, id))],
    handler: async (ctx, p) => {
      const results = await kp.bindKeyPair(ctx, { regionId: p.RegionId, keyPairName: p.KeyPairName, instanceIds: p.InstanceIds, attach: action === 'AttachKeyPair' });
      return {
        KeyPairName: p.KeyPairName, TotalCount: String(results.length), FailCount: String(results.filter((r) => !r.success).length),
        Results: { Result: results.map((r) => ({ InstanceId: r.instanceId, Success: String(r.success), Code: r.code, Message: r.message })) },
      };
    },
  });
}

export const keyPairOperations = [
  bindOp('AttachKeyPair'),
  bindOp('DetachKeyPair'),
  op({
    product: 'ecs', action: 'CreateKeyPair', ramAction: 'ecs:CreateKeyPair',
    params: z.object({ RegionId: t.str(64), KeyPairName: t.str(256), ResourceGroupId: t.str(64).optional(), Tag: t.tags().optional() }),
    resources: (p, account) => [kpArn(p.RegionId, account, p.KeyPairName)],
    handler: async (ctx, p) => {
      const r = await kp.createKeyPair(ctx, { regionId: p.RegionId, keyPairName: p.KeyPairName, resourceGroupId: p.ResourceGroupId, tags: p.Tag });
      return { KeyPairName: r.keyPair.name, KeyPairId: r.keyPair.id, KeyPairFingerPrint: r.keyPair.fingerprint, PrivateKeyBody: r.privateKeyBody };
    },
  }),
  op({
    product: 'ecs', action: 'ImportKeyPair', ramAction: 'ecs:ImportKeyPair',
    params: z.object({ RegionId: t.str(64), KeyPairName: t.str(256), PublicKeyBody: t.str(16384), ResourceGroupId: t.str(64).optional(), Tag: t.tags().optional() }),
    resources: (p, account) => [kpArn(p.RegionId, account, p.KeyPairName)],
    handler: async (ctx, p) => {
      const r = await kp.importKeyPair(ctx, { regionId: p.RegionId, keyPairName: p.KeyPairName, publicKeyBody: p.PublicKeyBody, resourceGroupId: p.ResourceGroupId, tags: p.Tag });
      return { KeyPairName: r.name, KeyPairId: r.id, KeyPairFingerPrint: r.fingerprint };
    },
  }),
  op({
    product: 'ecs', action: 'DescribeKeyPairs', ramAction: 'ecs:DescribeKeyPairs',
    params: z.object({ RegionId: t.str(64), KeyPairName: t.str(256).optional(), KeyPairFingerPrint: t.str(128).optional(), IncludePublicKey: t.bool().optional(), PageNumber: t.int().optional(), PageSize: t.int().optional(), ResourceGroupId: t.str(64).optional(), Tag: t.tags().optional() }),
    resources: (p, account) => [kpArn(p.RegionId, account, '*')],
    handler: async (ctx, p) => {
      const page = await kp.describeKeyPairs(ctx, { regionId: p.RegionId, keyPairName: p.KeyPairName, fingerprint: p.KeyPairFingerPrint, pageNumber: p.PageNumber, pageSize: p.PageSize, resourceGroupId: p.ResourceGroupId, tags: p.Tag });
      return {
        TotalCount: page.totalCount, PageNumber: page.pageNumber, PageSize: page.pageSize,
        KeyPairs: { KeyPair: page.items.map((k) => ({ KeyPairName: k.name, KeyPairId: k.id, KeyPairFingerPrint: k.fingerprint, CreationTime: k.creationTime, ResourceGroupId: k.resourceGroupId, ...(p.IncludePublicKey === true ? { PublicKey: k.publicKey } : {}), Tags: { Tag: k.tags.map((x) => ({ TagKey: x.key, TagValue: x.value })) } })) },
      };
    },
  }),
  op({
    product: 'ecs', action: 'DeleteKeyPairs', ramAction: 'ecs:DeleteKeyPairs',
    params: z.object({ RegionId: t.str(64), KeyPairNames: t.jsonList(t.str(256), 100) }),
    resources: (p, account) => p.KeyPairNames.map((n) => kpArn(p.RegionId, account, n)),
    handler: async (ctx, p) => { await kp.deleteKeyPairs(ctx, { regionId: p.RegionId, keyPairNames: p.KeyPairNames }); return {}; },
  }),
];
