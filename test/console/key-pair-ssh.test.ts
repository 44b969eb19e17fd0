// A key pair made in the console logs on to an instance of the data plane (CONSOLE.md "Key pairs",
// SPEC §2): Create SSH Key Pair downloads `<name>.pem`; the instance's details bind it, the page
// says it waits for the restart and offers one; after the restart `ssh -i <the downloaded .pem>`
// from another instance runs a command as root, while before it, and with any other key, sshd
// refuses. Needs the browser and the data plane (root, a real kernel and sshd): it skips with a
// message without either, unless PARAPET_REQUIRE_BROWSER=1 / PARAPET_REQUIRE_ROOT=1. The server
// runs the agent inside it (helpers/dataplane.ts); its stop removes the namespaces (and with them
// the nft tables), and the suite checks none is left, pass or fail.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootTestOptions, run } from '../helpers/netns.ts';
import { startDataplaneServer, Tenant, leftovers, sshFrom, type DataplaneServer } from '../helpers/dataplane.ts';
import { callRpc } from '../helpers/server.ts';
import { browserUnavailable, openConsole, signInWithAccessKey, chooseOption } from '../helpers/browser.ts';

const ECS = '2014-05-26';
const REGION = 'cn-hangzhou';
const PREFIX = `pks${process.pid % 10000}-`;
/** how long the agent may take to make the kernel match a write (a reboot restarts an sshd) */
const SETTLE_MS = 60_000;

/** Root's skip (or throw with PARAPET_REQUIRE_ROOT=1) first, then the browser's: the server with the agent starts only when both are here. */
function options(): { skip?: string } {
  const root = rootTestOptions();
  if (root.skip !== undefined) return root;
  const browser = browserUnavailable();
  return browser === undefined ? {} : { skip: `no browser: ${browser}` };
}

describe('console + data plane: the downloaded .pem logs on with ssh -i', options(), () => {
  let dp: DataplaneServer | undefined;
  const made: string[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'parapet-pem-'));

  before(async () => { dp = await startDataplaneServer(PREFIX); });
  after(async () => {
    await dp?.stop();
    rmSync(tmp, { recursive: true, force: true });
    // the nft tables live in the networks' namespaces: none left is none of them left
    assert.deepEqual(leftovers(PREFIX, made), [], 'namespaces left behind');
  });

  test('Create SSH Key Pair, bind it on the instance page, restart; ssh -i <name>.pem runs a command, another key is refused', async (t) => {
    const c = await openConsole(t, { server: dp!.server });
    if (c === undefined) return;
    const { page } = c;
    const c2 = dp!.clients();
    const me = new Tenant(c2.ecs, c2.vpc, REGION);
    const net = await me.network('10.8.0.0/16', '10.8.1.0/24', 'cn-hangzhou-h');
    const group = await me.group(net.vpcId);
    const server = await me.instance({ vSwitchId: net.vSwitchId, groups: [group] });
    const client = await me.instance({ vSwitchId: net.vSwitchId, groups: [group] });
    made.push(server.id, client.id);
    const stranger = join(tmp, 'stranger');
    assert.equal((await run('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', stranger])).code, 0);

    // the key pair, made in the console: its private half is the download and nowhere else
    await signInWithAccessKey(c);
    await page.goto(c.url(`/key-pairs?region=${REGION}`));
    await page.getByRole('button', { name: 'Create SSH Key Pair' }).click();
    const create = page.getByRole('dialog', { name: 'Create SSH Key Pair' });
    await create.getByLabel('SSH Key Pair Name').fill('console-key');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), create.getByRole('button', { name: 'OK' }).click()]);
    assert.equal(download.suggestedFilename(), 'console-key.pem');
    const pem = join(tmp, download.suggestedFilename());
    await download.saveAs(pem);
    chmodSync(pem, 0o600); // ssh refuses a private key others may read
    assert.ok(/^-----BEGIN (RSA )?PRIVATE KEY-----\n/.test(readFileSync(pem, 'utf8')), 'the download is a PEM private key');
    await page.getByText('The private key was downloaded as console-key.pem').waitFor();

    await dp!.settle(SETTLE_MS);
    const whoami = 'id -un; echo "on $(hostname)"';
    const unbound = await sshFrom(client.id, pem, server.ip, whoami);
    assert.equal(unbound.code, 255, 'no key is in force on the instance yet');
    assert.match(unbound.stderr, /Permission denied/);

    // bind it on the instance's page: pending until the restart the page offers
    await page.goto(c.url(`/instances/${server.id}?region=${REGION}`));
    await page.getByRole('button', { name: 'Bind/Unbind Key Pair' }).click();
    const bind = page.getByRole('dialog', { name: 'Bind/Unbind SSH Key Pair' });
    await chooseOption(page, /^(\* )?Key pair$/, 'console-key');
    await bind.getByRole('button', { name: 'Bind', exact: true }).click();
    await bind.waitFor({ state: 'hidden' });
    const pending = page.getByTestId('key-pending-alert');
    await pending.getByText('Key pair console-key is bound but not in force yet.').waitFor();
    await dp!.settle(SETTLE_MS);
    assert.equal((await sshFrom(client.id, pem, server.ip, whoami)).code, 255, 'bound, but not in force before the restart');

    await pending.getByRole('button', { name: 'Restart now' }).click();
    const restart = page.getByRole('dialog').filter({ hasText: 'Restart instances' });
    await restart.getByRole('button', { name: 'Restart' }).click();
    await restart.waitFor({ state: 'detached' });
    await pending.waitFor({ state: 'detached' });
    const attr = await callRpc(dp!.server.endpoint, 'DescribeInstanceAttribute', ECS, { InstanceId: server.id, RegionId: REGION });
    assert.equal(attr['EffectiveKeyPairName'], 'console-key');
    await dp!.settle(SETTLE_MS);

    // the downloaded .pem logs on and runs the command; another key is refused
    const r = await sshFrom(client.id, pem, server.ip, whoami);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `root\non ${String(attr['HostName'])}\n`);
    const refused = await sshFrom(client.id, stranger, server.ip, whoami);
    assert.equal(refused.code, 255);
    assert.match(refused.stderr, /Permission denied \(publickey\)/);
    assert.equal(refused.stdout, '');
  });
});
