// The part of npm @alicloud/ram 1.0 (untyped: pop-core's RPCClient with RAM's 2015-05-01 actions
// as methods) the tests use.
declare module '@alicloud/ram' {
  class RamClient {
    constructor(config: { accessKeyId: string; accessKeySecret: string; endpoint: string });
    getPolicyVersion(params: Record<string, unknown>): Promise<Record<string, unknown>>;
    listPolicies(params: Record<string, unknown>): Promise<Record<string, unknown>>;
  }
  export = RamClient;
}
