// Parapet's own verbs of the `parapet` command, human-first (tables; `--json` for scripts), over
// the same client and credentials as the API commands (rpc.ts, profiles.ts):
//   parapet sg rules <group>                    the group's rules in deciding order
//   parapet sg export <group> [--format json|csv] [-o file]
//   parapet sg import <group> <file> [--yes]      the preview; with --yes exactly the previewed rules, one by one
//   parapet sg restore <group> --from <target> [--partial] [--yes]   the preview in green and red; --yes applies it
//   parapet sg clone <group> --to-region R [--vpc V] [--name N]
//   parapet exposure [--region R]                what the internet reaches, riskiest first
//   parapet keypair create <name> [-o file.pem]  the private key written 0600, printed only with -o -
//   parapet status                               the server, and counts of the region at a glance
//   parapet ssh <instance> [--key file] [command…] with the data plane on this machine: ssh from its
//                                                 internet namespace to the instance's public address,
//                                                 as root with the key pair's private key (<name>.pem)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { call, type ClientConfig } from './client.ts';

export const VERBS = ['sg', 'exposure', 'keypair', 'status', 'ssh'] as const;

export interface VerbIo { out(text: string): void; err(text: string): void; /** stderr is a terminal: progress redrawn in place, colours */ tty?: boolean }
export interface VerbArgs { words: string[]; flags: Record<string, string>; bare: Set<string>; regionId: string }

export class VerbUsage extends Error {}

const ECS = '2014-05-26';
const VPC = '2016-04-28';
const PARAPET = '2026-11-01';

/** A table with a rule under its head, columns padded; the last column is not. */
export function textTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

interface Permission { SecurityGroupRuleId: string; Direction: string; Policy: string; Priority: string | number; IpProtocol: string; PortRange: string;
  SourceCidrIp?: string; DestCidrIp?: string; SourceGroupId?: string; DestGroupId?: string; SourcePrefixListId?: string; DestPrefixListId?: string; Ipv6SourceCidrIp?: string; Ipv6DestCidrIp?: string; Description?: string }

const peerOf = (p: Permission): string => (p.Direction === 'ingress'
  ? p.SourceCidrIp || p.Ipv6SourceCidrIp || p.SourceGroupId || p.SourcePrefixListId
  : p.DestCidrIp || p.Ipv6DestCidrIp || p.DestGroupId || p.DestPrefixListId) || '';

/** The order the engine decides in: priority (1 first), then drop before accept. */
export function decidingOrder(perms: readonly Permission[]): Permission[] {
  return [...perms].sort((a, b) => Number(a.Priority) - Number(b.Priority) || (a.Policy.toLowerCase() === 'drop' ? 0 : 1) - (b.Policy.toLowerCase() === 'drop' ? 0 : 1));
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Up to three blocks by name; more as a count (a drop rule carves the internet into many). */
const fewCidrs = (cidrs: readonly string[]): string => (cidrs.length <= 3 ? cidrs.join(',') : `${cidrs.length} address blocks`);

/** The server's `/healthz` (ready, or why not): the store answering, and no more. */
function health(endpoint: string): Promise<string> {
  const base = endpoint.startsWith('http') ? endpoint.replace(/\/+$/, '') : `http://${endpoint}`;
  return new Promise((resolve) => {
    const req = httpGet(`${base}/healthz`, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => { resolve(res.statusCode === 200 ? 'ready' : `not ready (${res.statusCode ?? 0}${body !== '' ? ` ${body}` : ''})`); });
    });
    req.on('error', (e) => { resolve(`unreachable (${e.message})`); });
  });
}

/** A bar on stderr: redrawn in place on a terminal, a line per tenth otherwise. */
function progress(io: VerbIo, what: string, done: number, total: number): void {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  const text = `${what} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`;
  if (io.tty === true) io.err(`\r${text}${done === total ? '\n' : ''}`);
  else if (done === total || done % Math.max(1, Math.ceil(total / 10)) === 0) io.err(text + '\n');
}

const RISK_ORDER: Record<string, number> = { high: 0, medium: 1, low: 2 };

export async function runVerb(cfg: ClientConfig, a: VerbArgs, io: VerbIo): Promise<number> {
  const [verb, sub, target] = a.words;
  const asJson = a.bare.has('json');
  const out = (v: unknown, text: () => string) => { io.out(asJson ? JSON.stringify(v, null, '\t') + '\n' : text()); };
  if (verb === 'sg' && sub === 'rules') {
    if (target === undefined) throw new VerbUsage('parapet sg rules <security group id>');
    const r = await call(cfg, ECS, 'DescribeSecurityGroupAttribute', { RegionId: a.regionId, SecurityGroupId: target });
    const perms = decidingOrder((r['Permissions'] as { Permission: Permission[] }).Permission);
    out(perms, () => `${target} (${str(r['SecurityGroupName'])}), ${str(r['InnerAccessPolicy'])} inside the group; rules in the order they decide:\n` +
      textTable(['#', 'Direction', 'Priority', 'Policy', 'Protocol', 'Ports', 'Peer', 'Rule', 'Description'],
        perms.map((p, i) => [String(i + 1), p.Direction, String(p.Priority), p.Policy, p.IpProtocol, p.PortRange, peerOf(p), p.SecurityGroupRuleId, p.Description ?? ''])));
    return 0;
  }
  if (verb === 'sg' && sub === 'export') {
    if (target === undefined) throw new VerbUsage('parapet sg export <security group id> [--format json|csv] [-o file]');
    const r = await call(cfg, PARAPET, 'ExportSecurityGroupRules', { RegionId: a.regionId, SecurityGroupId: target, Format: a.flags['format'] ?? 'json' });
    const file = a.flags['o'];
    if (file === undefined || file === '-') { io.out(String(r['Content'])); return 0; }
    writeFileSync(file, String(r['Content']));
    io.err(`exported ${target} to ${file}\n`);
    return 0;
  }
  if (verb === 'sg' && sub === 'import') {
    const file = a.words[3];
    if (target === undefined || file === undefined) throw new VerbUsage('parapet sg import <security group id> <file.json> [--yes]');
    if (!existsSync(file)) throw new VerbUsage(`${file}: no such file`);
    const content = readFileSync(file, 'utf8');
    const preview = await call(cfg, PARAPET, 'PreviewImportSecurityGroupRules', { RegionId: a.regionId, SecurityGroupId: target, Content: content });
    type Result = { Index: number; Success: boolean; Code: string; Message: string; Permission?: Permission };
    const results = (preview['Results'] as { Result: Result[] }).Result;
    const importable = results.filter((r) => r.Success && r.Permission !== undefined);
    io.out(textTable(['#', 'Import', 'Direction', 'Priority', 'Policy', 'Protocol', 'Ports', 'Peer', 'Why not'], results.map((r) => [
      String(r.Index), r.Success ? 'yes' : 'no', r.Permission?.Direction ?? '', String(r.Permission?.Priority ?? ''), r.Permission?.Policy ?? '', r.Permission?.IpProtocol ?? '',
      r.Permission?.PortRange ?? '', r.Permission !== undefined ? peerOf(r.Permission) : '', r.Success ? '' : `${r.Code}: ${r.Message}`,
    ])));
    io.out(`${importable.length} of ${results.length} rules can be imported into ${target}.\n`);
    if (!a.bare.has('yes')) { io.out(importable.length > 0 ? 'Nothing imported: run again with --yes to import them.\n' : ''); return 0; }
    // exactly the previewed rules, one request each, so that the progress is per rule
    let done = 0;
    const failed: string[] = [];
    for (const r of importable) {
      const one = await call(cfg, PARAPET, 'ImportSecurityGroupRules', { RegionId: a.regionId, SecurityGroupId: target, Content: JSON.stringify({ Permissions: [r.Permission] }) });
      const got = (one['Results'] as { Result: Result[] }).Result[0];
      if (got?.Success === true) done++; else failed.push(`#${r.Index}: ${got?.Code ?? '?'} ${got?.Message ?? ''}`);
      progress(io, 'importing', done + failed.length, importable.length);
    }
    io.out(`imported ${done} of ${importable.length} rules into ${target}${failed.length > 0 ? `; not imported: ${failed.join('; ')}` : ''}\n`);
    return failed.length > 0 ? 1 : 0;
  }
  if (verb === 'sg' && sub === 'restore') {
    const from = a.flags['from'];
    if (target === undefined || from === undefined) throw new VerbUsage('parapet sg restore <security group id> --from <group to copy> [--partial] [--yes]');
    const q = { RegionId: a.regionId, SecurityGroupId: target, TargetSecurityGroupId: from, Method: a.bare.has('partial') ? 'Partial' : 'Complete' };
    const plan = await call(cfg, PARAPET, 'PreviewRestoreSecurityGroupRules', q);
    const add = (plan['RulesToAdd'] as { Permission: Permission[] }).Permission;
    const remove = (plan['RulesToRemove'] as { Permission: Permission[] }).Permission;
    const paint = (code: string, text: string) => io.tty === true ? `\u001b[${code}m${text}\u001b[0m` : text;
    const line = (p: Permission) => `${p.Direction} ${p.Priority} ${p.Policy} ${p.IpProtocol} ${p.PortRange} ${peerOf(p)}`;
    io.out([...add.map((p) => paint('32', `+ ${line(p)}`)), ...remove.map((p) => paint('31', `- ${line(p)} (${p.SecurityGroupRuleId})`))].join('\n') + (add.length + remove.length > 0 ? '\n' : ''));
    io.out(`${target} made like ${from} (${q.Method}): ${add.length} to add, ${remove.length} to remove.\n`);
    if (!a.bare.has('yes')) { io.out(add.length + remove.length > 0 ? 'Nothing changed: run again with --yes to apply it.\n' : ''); return 0; }
    const r = await call(cfg, PARAPET, 'RestoreSecurityGroupRules', q);
    io.out(`added ${String(r['AddedCount'])}, removed ${String(r['RemovedCount'])}\n`);
    return 0;
  }
  if (verb === 'sg' && sub === 'clone') {
    const region = a.flags['to-region'] ?? a.regionId;
    if (target === undefined) throw new VerbUsage('parapet sg clone <security group id> [--to-region R] [--vpc vpc-…] [--name N]');
    const vpc = a.flags['vpc'];
    const r = await call(cfg, PARAPET, 'CloneSecurityGroup', {
      RegionId: a.regionId, SecurityGroupId: target, DestinationRegionId: region, NetworkType: vpc !== undefined ? 'vpc' : 'classic',
      SecurityGroupName: a.flags['name'] ?? `${target}-clone`, ...(vpc !== undefined ? { DestinationVpcId: vpc } : {}),
    });
    const skipped = (r['SkippedRules'] as { SkippedRule: Array<{ Code: string; Message: string }> }).SkippedRule;
    out(r, () => `cloned ${target} into ${String(r['SecurityGroupId'])} (${region}): ${String(r['ClonedCount'])} rules${skipped.length > 0 ? `; skipped ${skipped.length}: ${skipped.map((x) => x.Code).join(', ')}` : ''}\n`);
    return 0;
  }
  if (verb === 'exposure') {
    const r = await call(cfg, PARAPET, 'DescribeExposure', { RegionId: a.regionId });
    type Row = { InstanceId: string; PublicIpAddress: string; Ipv6Address?: string; IpProtocol: string; PortRange: string; OpenToInternet: boolean; RiskLevel: string; SourceCidrIps: { SourceCidrIp: string[] }; Services: { Service: string[] }; SecurityGroupRules: { SecurityGroupRule: Array<{ SecurityGroupId: string; SecurityGroupRuleId: string }> } };
    const rows = [...(r['Exposures'] as { Exposure: Row[] }).Exposure]
      .sort((x, y) => (RISK_ORDER[x.RiskLevel] ?? 3) - (RISK_ORDER[y.RiskLevel] ?? 3) || Number(y.OpenToInternet) - Number(x.OpenToInternet) || x.InstanceId.localeCompare(y.InstanceId));
    out(rows, () => rows.length === 0 ? `nothing in ${a.regionId} is reachable from the internet\n` : textTable(['Risk', 'Instance', 'Public IP', 'Protocol', 'Ports', 'From', 'Services', 'Rules'],
      rows.map((e) => [e.RiskLevel, e.InstanceId, e.Ipv6Address ?? e.PublicIpAddress, e.IpProtocol, e.PortRange, e.OpenToInternet ? 'everyone' : fewCidrs(e.SourceCidrIps.SourceCidrIp), e.Services.Service.join(','),
        e.SecurityGroupRules.SecurityGroupRule.map((g) => `${g.SecurityGroupId}/${g.SecurityGroupRuleId}`).join(',')])));
    return 0;
  }
  if (verb === 'keypair' && sub === 'create') {
    if (target === undefined) throw new VerbUsage('parapet keypair create <name> [-o file.pem]');
    const file = a.flags['o'] ?? `${target}.pem`;
    if (file !== '-' && existsSync(file)) throw new VerbUsage(`${file} exists: not overwritten (-o another file)`);
    const r = await call(cfg, ECS, 'CreateKeyPair', { RegionId: a.regionId, KeyPairName: target });
    const key = String(r['PrivateKeyBody']);
    if (file === '-') io.out(key.endsWith('\n') ? key : key + '\n');
    else writeFileSync(file, key.endsWith('\n') ? key : key + '\n', { mode: 0o600, flag: 'wx' });
    io.err(`key pair ${target} created (fingerprint ${String(r['KeyPairFingerPrint'])})${file === '-' ? '' : `; its private key is in ${file} (0600), and nowhere else`}\n`);
    return 0;
  }
  if (verb === 'ssh') {
    const id = sub;
    if (id === undefined) throw new VerbUsage('parapet ssh <instance id> [--key file.pem] [command …]');
    const r = await call(cfg, ECS, 'DescribeInstances', { RegionId: a.regionId, InstanceIds: JSON.stringify([id]) });
    type Inst = { InstanceId: string; Status: string; OSType?: string; KeyPairName?: string; PublicIpAddress?: { IpAddress: string[] }; EipAddress?: { IpAddress?: string } };
    const inst = (r['Instances'] as { Instance: Inst[] }).Instance[0];
    if (inst === undefined) throw new VerbUsage(`no instance ${id} in ${a.regionId} (--region?)`);
    if (inst.Status !== 'Running') throw new VerbUsage(`${id} is ${inst.Status}: start it first (parapet ecs StartInstance --InstanceId ${id})`);
    if ((inst.OSType ?? 'linux') !== 'linux') throw new VerbUsage(`${id} runs Windows: Parapet runs sshd in Linux instances only`);
    const ip = inst.PublicIpAddress?.IpAddress[0] || inst.EipAddress?.IpAddress || '';
    if (ip === '') throw new VerbUsage(`${id} has no public address: allocate one (parapet ecs AllocatePublicIpAddress --InstanceId ${id})`);
    const ns = `${a.flags['prefix'] ?? process.env['PARAPET_DATAPLANE_PREFIX'] ?? 'parapet-'}internet`;
    if (!existsSync(join('/run/netns', ns))) {
      throw new VerbUsage(`the data plane does not run on this machine (no network namespace ${ns}): instances have no network to reach. Run the server with PARAPET_DATAPLANE=1 as root on Linux, or \`parapet agent\` beside it`);
    }
    if (process.getuid?.() !== 0) throw new VerbUsage('parapet ssh enters the data plane\'s internet namespace: run it as root');
    const key = a.flags['key'] ?? (inst.KeyPairName ? `${inst.KeyPairName}.pem` : undefined);
    if (key !== undefined && !existsSync(key)) throw new VerbUsage(`${key}: no such file (the private key of ${inst.KeyPairName ?? 'the key pair'}; --key another file)`);
    const known = join(process.env['HOME'] ?? homedir(), '.parapet', 'known_hosts');
    mkdirSync(join(known, '..'), { recursive: true, mode: 0o700 });
    const args = ['netns', 'exec', ns, 'ssh', ...(key !== undefined ? ['-i', key, '-o', 'IdentitiesOnly=yes'] : []),
      '-o', 'StrictHostKeyChecking=accept-new', '-o', `UserKnownHostsFile=${known}`, '-o', 'ConnectTimeout=10', `root@${ip}`, ...a.words.slice(2)];
    return await new Promise<number>((resolve) => {
      const child = spawn('ip', args, { stdio: 'inherit' });
      child.on('error', (e) => { io.err(`ERROR: ${e.message}\n`); resolve(1); });
      child.on('close', (code) => { resolve(code ?? 1); });
    });
  }
  if (verb === 'status') {
    const t0 = performance.now();
    const regions = await call(cfg, ECS, 'DescribeRegions', {});
    const ms = performance.now() - t0;
    const count = async (version: string, action: string, key = 'TotalCount') => Number((await call(cfg, version, action, { RegionId: a.regionId, PageSize: '1' }))[key] ?? 0);
    const [groups, instances, vpcs] = await Promise.all([count(ECS, 'DescribeSecurityGroups'), count(ECS, 'DescribeInstances'), count(VPC, 'DescribeVpcs')]);
    const who = await call(cfg, '2015-04-01', 'GetCallerIdentity', {});
    const ns = `${a.flags['prefix'] ?? process.env['PARAPET_DATAPLANE_PREFIX'] ?? 'parapet-'}internet`;
    const dataPlane = existsSync(join('/run/netns', ns)) ? `running on this machine (${ns})` : 'not on this machine';
    const v = { Endpoint: cfg.endpoint, Health: await health(cfg.endpoint), ResponseMs: Math.round(ms), DataPlane: dataPlane, Regions: (regions['Regions'] as { Region: unknown[] }).Region.length, Identity: who['Arn'], RegionId: a.regionId, SecurityGroups: groups, Instances: instances, Vpcs: vpcs };
    out(v, () => textTable(['', ''], Object.entries(v).map(([k, x]) => [k, String(x)])).split('\n').slice(2).join('\n'));
    return 0;
  }
  throw new VerbUsage(`parapet ${[verb, sub].filter(Boolean).join(' ')}: not a command; see parapet --help`);
}
