// The operation catalog: one entry per (API version, action) with its parameter schema, its RAM
// action and resource ARNs, whether it honours ClientToken, and a thin handler.
import type { z } from 'zod';
import type { CallContext, Principal } from '../domain/context.ts';

export type Product = 'ecs' | 'vpc' | 'ram' | 'sts' | 'antiddos' | 'sas' | 'cbn' | 'parapet';

export const VERSIONS: Readonly<Record<string, Product>> = {
  '2014-05-26': 'ecs',
  '2016-04-28': 'vpc',
  '2015-05-01': 'ram',
  '2015-04-01': 'sts',
  // antiddos-public: Anti-DDoS Basic
  '2017-05-18': 'antiddos',
  // Security Center (sas)
  '2018-12-03': 'sas',
  // Cloud Enterprise Network
  '2017-09-12': 'cbn',
  '2026-11-01': 'parapet',
};

export const HOST_IDS: Readonly<Record<Product, string>> = {
  ecs: 'ecs.aliyuncs.com',
  vpc: 'vpc.aliyuncs.com',
  ram: 'ram.aliyuncs.com',
  sts: 'sts.aliyuncs.com',
  antiddos: 'antiddos.aliyuncs.com',
  // the sas SDK's endpoint (tds.aliyuncs.com, tds.{region}.aliyuncs.com)
  sas: 'tds.aliyuncs.com',
  cbn: 'cbn.aliyuncs.com',
  parapet: 'parapet',
};

export interface Operation<S extends z.ZodType = z.ZodType> {
  product: Product;
  action: string;
  params: S;
  /** the RAM action, e.g. `ecs:AuthorizeSecurityGroup` */
  ramAction: string;
  /**
   * Every resource ARN the call touches (`*` for list operations): the resource it acts on and
   * each group, vSwitch, VPC, key pair or instance it names. Each is authorized. `caller` is for
   * the operations that act on the caller itself (ChangePassword: the calling user's ARN).
   */
  resources: (p: z.output<S>, accountId: string, caller?: Principal) => string[];
  /** the role the call hands to an instance, when it names one: the caller needs `ram:PassRole` on it */
  passRole?: (p: z.output<S>) => string | undefined;
  /** honours the `ClientToken` parameter */
  idempotent?: boolean;
  handler: (ctx: CallContext, p: z.output<S>) => Promise<Record<string, unknown>>;
}

/** Declares one operation; the generic ties the handler's parameter type to its schema. */
export function op<S extends z.ZodType>(o: Operation<S>): Operation {
  return o;
}

export class Catalog {
  private readonly byKey = new Map<string, Operation>();

  add(ops: readonly Operation[]): this {
    for (const o of ops) {
      const key = o.product + ':' + o.action;
      if (this.byKey.has(key)) throw new Error(`operation declared twice: ${key}`);
      this.byKey.set(key, o);
    }
    return this;
  }

  find(product: Product, action: string): Operation | undefined {
    return this.byKey.get(product + ':' + action);
  }

  all(): Operation[] {
    return [...this.byKey.values()];
  }
}

export { arn } from '../domain/arns.ts';
