// `parapet ssh` (root, the data plane on): the key pair made with `parapet keypair create`, an
// instance with a public address whose group opens 22, then `parapet ssh <instance> -- id -un`
// runs in the instance as root; without the data plane's namespace the command says so.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWith, PARAPET_BIN } from '../helpers/cli.ts';
import { ROOT } from '../helpers/server.ts';
import { rootTestOptions } from '../helpers/netns.ts';
import { startDataplaneServer, Tenant, leftovers, type DataplaneServer } from '../helpers/dataplane.ts';

const PREFIX = `pcs${process.pid % 10000}-`;
const R = 'cn-hangzhou';

describe('parapet ssh into an instance of the data plane', rootTestOptions(), () => {
  let dp: DataplaneServer;
  let dir: string;
  let instance: string;
  const parapet = (args: string[], extra: NodeJS.ProcessEnv = {}) => runWith(process.execPath, [PARAPET_BIN, ...args],
    { ...process.env, HOME: dir, PARAPET_ENDPOINT: dp.server.endpoint, PARAPET_DATAPLANE_PREFIX: PREFIX, ALIBABA_CLOUD_ACCESS_KEY_ID: ROOT.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ROOT.accessKeySecret, ...extra }, dir);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parapet-ssh-'));
    dp = await startDataplaneServer(PREFIX);
    const { ecs, vpc } = dp.clients();
    const tenant = new Tenant(ecs, vpc, R);
    const { vpcId, vSwitchId } = await tenant.network('10.66.0.0/16', '10.66.1.0/24', 'cn-hangzhou-i');
    const sg = await tenant.group(vpcId);
    await tenant.ingress(sg, [{ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '0.0.0.0/0' }]);
    const made = await parapet(['keypair', 'create', 'cli-key']);
    assert.equal(made.code, 0, made.stderr);
    instance = (await tenant.instance({ vSwitchId, groups: [sg], publicIp: true, keyPairName: 'cli-key' })).id;
    await dp.settle(60_000);
  });
  after(async () => {
    await dp?.stop();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(leftovers(PREFIX, instance !== undefined ? [instance] : []), []);
  });

  test('runs a command in the instance as root with the key pair written by parapet keypair create', async () => {
    let r = await parapet(['ssh', instance, '--', 'id', '-un']);
    // sshd may still be starting: a refused connection is retried for a few seconds
    for (let i = 0; i < 20 && r.code === 255 && /refused/.test(r.stderr); i++) { await new Promise((f) => setTimeout(f, 250)); r = await parapet(['ssh', instance, '--', 'id', '-un']); }
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'root');
  });

  test('without the data plane (another prefix) or a key file, a clear message', async () => {
    const none = await parapet(['ssh', instance, '--', 'true'], { PARAPET_DATAPLANE_PREFIX: 'nothere-' });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /the data plane does not run on this machine/);
    const noKey = await parapet(['ssh', instance, '--key', 'missing.pem', '--', 'true']);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /missing\.pem: no such file/);
  });
});
