// The part of npm aliyun-sdk (1.x, untyped) the tests use: a service client per product whose
// methods are the API's actions with a lower-case first letter, each taking the parameters and a
// node-style callback.
declare module 'aliyun-sdk' {
  type Callback = (err: (Error & { code?: string; statusCode?: number }) | null, data: Record<string, unknown>) => void;
  export class ECS {
    constructor(opts: { accessKeyId: string; secretAccessKey: string; endpoint: string; apiVersion: string });
    [action: string]: (params: Record<string, unknown>, cb: Callback) => void;
  }
  const ALY: { ECS: typeof ECS };
  export default ALY;
}
