// The root credentials every bench server is started with.
export const BENCH_ROOT = { accountId: '1234567890123456', accessKeyId: 'LTAIbenchroot000000001', accessKeySecret: 'bench-secret-0000000000000001' };
