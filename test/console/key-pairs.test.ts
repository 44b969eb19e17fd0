// The Key Pairs page in a browser (CONSOLE.md "Key pairs"): Create SSH Key Pair downloads `<name>.pem`
// once — a valid private key whose public half has the fingerprint the API lists — and the page never
// shows it; Import checks the key in the page first (a private key and garbage are refused before
// any request; so is ssh-ed25519, which ECS does not import), then ImportKeyPair's own refusal is
// shown at OK, and a real OpenSSH ECDSA key imports with
// the fingerprint its blob has; Bind with a Windows instance shown disabled, Unbind; Delete several,
// naming them; a RAM user with AliyunECSReadOnlyAccess sees the list and is refused a delete with the
// action named; axe on the page. Every result is checked through the API.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sshpk from 'sshpk';
import { callRpc, ROOT, type Creds } from '../helpers/server.ts';
import { expectAccessible, openConsole, settled, signInWithAccessKey } from '../helpers/browser.ts';

const ECS = '2014-05-26';
const RAM = '2015-05-01';
const REGION = 'cn-hangzhou';

async function keyPairs(ep: string, creds: Creds = ROOT): Promise<Array<{ KeyPairName: string; KeyPairFingerPrint: string }>> {
  const r = await callRpc(ep, 'DescribeKeyPairs', ECS, { RegionId: REGION, PageSize: '50' }, creds);
  return (r['KeyPairs'] as { KeyPair: Array<{ KeyPairName: string; KeyPairFingerPrint: string }> }).KeyPair;
}

async function instance(ep: string, id: string): Promise<Record<string, unknown>> {
  return callRpc(ep, 'DescribeInstanceAttribute', ECS, { InstanceId: id, RegionId: REGION });
}

/** MD5 of an OpenSSH public key's blob, colon-separated (the fingerprint ECS lists). */
function md5Of(openssh: string): string {
  return createHash('md5').update(Buffer.from(openssh.trim().split(/\s+/)[1]!, 'base64')).digest('hex').match(/../g)!.join(':');
}

describe('console: key pairs', () => {
  test('Create downloads <name>.pem once: a valid private key matching the listed fingerprint; axe', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    await signInWithAccessKey(c);
    await page.goto(c.url(`/key-pairs?region=${REGION}`));
    await page.getByRole('heading', { level: 1, name: 'Key Pairs' }).waitFor();
    await page.getByText(`No SSH key pairs in ${REGION}`).waitFor();
    await expectAccessible(page, 'key pairs (empty)');

    await page.getByRole('button', { name: 'Create SSH Key Pair' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create SSH Key Pair' });
    await dialog.getByText('The private key downloads once').waitFor();
    await settled(page);
    await expectAccessible(page, 'Create SSH Key Pair dialog');
    await dialog.getByLabel('SSH Key Pair Name').fill('9bad');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.getByText('starting with a letter').first().waitFor();
    await dialog.getByLabel('SSH Key Pair Name').fill('web-key');
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'OK' }).click()]);
    assert.equal(download.suggestedFilename(), 'web-key.pem');
    const pem = readFileSync(await download.path(), 'utf8');
    await page.getByText('The private key was downloaded as web-key.pem').waitFor();

    const listed = (await keyPairs(ep)).find((k) => k.KeyPairName === 'web-key');
    assert.ok(listed, 'the key pair exists');
    const priv = sshpk.parsePrivateKey(pem, 'pem');
    assert.equal(priv.type, 'rsa');
    assert.equal(priv.size, 2048);
    assert.equal(md5Of(priv.toPublic().toString('ssh')), listed.KeyPairFingerPrint, 'the .pem is the private half of the listed key');
    // and node's own parser takes it
    assert.equal(createPublicKey(pem).asymmetricKeyType, 'rsa');

    const row = page.getByRole('row', { name: /web-key/ });
    await row.getByText(listed.KeyPairFingerPrint).waitFor();
    const html = await page.content();
    assert.ok(!html.includes('PRIVATE KEY') && !html.includes(pem.split('\n')[1]!), 'the private key is not in the page');
    await settled(page);
    await expectAccessible(page, 'key pairs');
  });

  test('Import: checked in the page first, the API refusal shown at OK, a real OpenSSH ECDSA key imported', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    await callRpc(ep, 'CreateKeyPair', ECS, { RegionId: REGION, KeyPairName: 'taken' });
    await signInWithAccessKey(c);
    await page.goto(c.url(`/key-pairs?region=${REGION}`));
    let calls = 0;
    page.on('request', (r) => { if (r.url().endsWith('/console/api/call') && (r.postData() ?? '').includes('ImportKeyPair')) calls++; });

    const toSsh = (k: ReturnType<typeof generateKeyPairSync>['publicKey']) => sshpk.parseKey(k.export({ type: 'spki', format: 'pem' }).toString(), 'pem').toString('ssh').split(' ').slice(0, 2).join(' ');
    const openssh = `${toSsh(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)} me@laptop`;
    const ed25519 = toSsh(generateKeyPairSync('ed25519').publicKey);

    await page.getByRole('button', { name: 'Import Key Pair' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create SSH Key Pair' });
    await dialog.getByLabel('SSH Key Pair Name').fill('laptop');
    const body = dialog.getByLabel('Public Key');
    await body.fill('-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.getByText('This is a private key.').waitFor();
    await body.fill(ed25519);
    await dialog.getByText('Expected an OpenSSH public key').waitFor();
    await body.fill('ssh-rsa not-base64!');
    await dialog.getByText('is not valid base64').waitFor();
    const [type, blob] = openssh.split(' ');
    await body.fill(`ssh-rsa ${blob}`);
    await dialog.getByText('does not match the key type').waitFor();
    assert.equal(calls, 0, 'nothing sent while the page finds the key wrong');
    // the message fades in: judged once it is fully shown
    await dialog.locator('.ant-form-show-help-item-appear').waitFor({ state: 'detached' });
    await settled(page);
    await expectAccessible(page, 'Import dialog with a check message');

    // the API's own refusal at OK: the name is taken
    c.expectFailure({ method: 'POST', path: /^\/console\/api\/call$/, status: 400 });
    c.expectFailure({ method: 'POST', path: /^\/console\/api\/call$/, status: 409 });
    await dialog.getByLabel('SSH Key Pair Name').fill('taken');
    await body.fill(`${type} ${blob} me@laptop`);
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.getByRole('alert').getByText('KeyPair.AlreadyExist', { exact: false }).waitFor();
    assert.equal(calls, 1);

    await dialog.getByLabel('SSH Key Pair Name').fill('laptop');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const listed = (await keyPairs(ep)).find((k) => k.KeyPairName === 'laptop');
    assert.ok(listed);
    assert.equal(listed.KeyPairFingerPrint, md5Of(openssh));
    await page.getByRole('row', { name: /laptop/ }).getByText(listed.KeyPairFingerPrint).waitFor();
  });

  test('Bind (Windows shown disabled), Unbind, Delete several naming them', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    const vpc = String((await callRpc(ep, 'CreateVpc', ECS, { RegionId: REGION, CidrBlock: '172.16.0.0/16' }))['VpcId']);
    const vsw = String((await callRpc(ep, 'CreateVSwitch', ECS, { RegionId: REGION, VpcId: vpc, ZoneId: 'cn-hangzhou-h', CidrBlock: '172.16.1.0/24' }))['VSwitchId']);
    const sg = String((await callRpc(ep, 'CreateSecurityGroup', ECS, { RegionId: REGION, VpcId: vpc }))['SecurityGroupId']);
    const run = async (image: string, name: string) => ((await callRpc(ep, 'RunInstances', ECS, { RegionId: REGION, ImageId: image, InstanceType: 'ecs.c6.large', VSwitchId: vsw, SecurityGroupId: sg, InstanceName: name }))['InstanceIdSets'] as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
    const linux = await run('ubuntu_22_04_x64_20G_alibase_20240101.vhd', 'lin');
    const win = await run('win2022_21H2_x64_dtc_en-us_40G_alibase_20240101.vhd', 'win');
    for (const name of ['k1', 'k2', 'k3']) await callRpc(ep, 'CreateKeyPair', ECS, { RegionId: REGION, KeyPairName: name });
    await signInWithAccessKey(c);
    await page.goto(c.url(`/key-pairs?region=${REGION}`));

    await page.getByRole('button', { name: 'Bind k1', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Bind Key Pair k1' });
    await dialog.getByTestId(`pick-${win}`).waitFor();
    assert.equal(await dialog.getByRole('checkbox', { name: `Select ${win}` }).isDisabled(), true, 'the Windows instance is disabled');
    await dialog.getByRole('row', { name: new RegExp(win) }).getByText('Windows, not supported').waitFor();
    await dialog.getByText('Windows instances cannot use SSH key pairs.').waitFor();
    await settled(page);
    await expectAccessible(page, 'Bind dialog');
    await dialog.getByRole('checkbox', { name: `Select ${linux}` }).check();
    await dialog.getByRole('button', { name: 'OK' }).click();
    await page.getByText(`Restart these running instances for the change to take effect: ${linux}`).waitFor();
    await page.getByRole('dialog').filter({ hasText: 'Key pair updated' }).getByRole('button', { name: 'OK' }).click();
    let i = await instance(ep, linux);
    assert.equal(i['KeyPairName'], 'k1');
    assert.equal(i['KeyPairChangePending'], true);
    assert.equal((await instance(ep, win))['KeyPairName'], '');
    await page.getByRole('row', { name: /k1/ }).getByRole('link', { name: linux }).waitFor();

    // Unbind
    await page.getByRole('button', { name: 'Unbind k1', exact: true }).click();
    const un = page.getByRole('dialog', { name: 'Unbind Key Pair k1' });
    // the dialog opening, and the instance list it refetches after the bind, re-render the table:
    // a click in between lands on a checkbox that is then replaced (the state looks unchanged)
    await un.getByRole('checkbox', { name: `Select ${linux}` }).waitFor();
    await settled(page);
    await page.waitForLoadState('networkidle');
    await un.getByRole('checkbox', { name: `Select ${linux}` }).check();
    await un.getByRole('button', { name: 'OK' }).click();
    await page.getByRole('dialog').filter({ hasText: 'Key pair updated' }).getByRole('button', { name: 'OK' }).click();
    i = await instance(ep, linux);
    assert.equal(i['KeyPairName'], '');

    // Delete two at once, the dialog naming them and the note on bound instances
    for (const name of ['k2', 'k3']) await page.getByRole('row', { name: new RegExp(name) }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Delete (2)' }).click();
    const confirm = page.getByRole('dialog').filter({ hasText: 'Delete 2 SSH key pair(s)' });
    await confirm.getByText('k2, k3').waitFor();
    await confirm.getByText('keep working').waitFor();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('row', { name: /k2/ }).waitFor({ state: 'detached' });
    assert.deepEqual((await keyPairs(ep)).map((k) => k.KeyPairName).sort(), ['k1']);
  });

  test('a RAM user with AliyunECSReadOnlyAccess sees the list and is refused a delete, with the action named', async (t) => {
    const c = await openConsole(t);
    if (c === undefined) return;
    const { page } = c;
    const ep = c.server.endpoint;
    await callRpc(ep, 'CreateKeyPair', ECS, { RegionId: REGION, KeyPairName: 'kept' });
    await callRpc(ep, 'CreateUser', RAM, { UserName: 'rita' });
    await callRpc(ep, 'AttachPolicyToUser', RAM, { PolicyType: 'System', PolicyName: 'AliyunECSReadOnlyAccess', UserName: 'rita' });
    const k = (await callRpc(ep, 'CreateAccessKey', RAM, { UserName: 'rita' }))['AccessKey'] as Record<string, string>;
    c.expectFailure({ method: 'POST', path: /^\/console\/api\/call$/, status: 403 });
    await signInWithAccessKey(c, { accessKeyId: k['AccessKeyId']!, accessKeySecret: k['AccessKeySecret']! });
    await page.goto(c.url(`/key-pairs?region=${REGION}`));
    await page.getByRole('row', { name: /kept/ }).waitFor();
    await page.getByRole('button', { name: 'Delete kept' }).click();
    const dialog = page.getByRole('dialog').filter({ hasText: 'Delete 1 SSH key pair(s)' });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    // the confirmation closes once the call is answered, refused or not
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('alert').filter({ hasText: 'You are not authorized' }).getByText('Denied action: ecs:DeleteKeyPairs').waitFor();
    assert.deepEqual((await keyPairs(ep)).map((x) => x.KeyPairName), ['kept'], 'nothing deleted');
    await settled(page);
    await expectAccessible(page, 'key pairs with a RAM refusal');
  });
});
