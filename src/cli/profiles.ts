// The aliyun CLI's own configuration file (`~/.aliyun/config.json`, `ALIBABA_CLOUD_CONFIG_FILE`
// elsewhere): profiles with a mode (AK, StsToken, RamRoleArn), read and written in its format so
// one file serves both commands. Parapet adds one field, `endpoint` (where the API server is;
// default `PARAPET_ENDPOINT` or 127.0.0.1:8080). Credentials come from, in order: the command's
// flags, `ALIBABA_CLOUD_ACCESS_KEY_ID`/`_SECRET` (and `ALIBABA_CLOUD_SECURITY_TOKEN`), the profile
// named by `--profile` or `ALIBABA_CLOUD_PROFILE`, the file's current profile.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export type ProfileMode = 'AK' | 'StsToken' | 'RamRoleArn';
export const PROFILE_MODES: readonly ProfileMode[] = ['AK', 'StsToken', 'RamRoleArn'];

/** A profile as the aliyun CLI writes it (the fields Parapet reads; others are kept as they are). */
export interface Profile {
  name: string;
  mode: ProfileMode;
  access_key_id: string;
  access_key_secret: string;
  sts_token: string;
  ram_role_arn: string;
  ram_session_name: string;
  expired_seconds: number;
  region_id: string;
  output_format: string;
  language: string;
  /** Parapet's: the API server */
  endpoint?: string;
  [other: string]: unknown;
}

export interface ConfigFile { current: string; profiles: Profile[]; meta_path: string; [other: string]: unknown }

export const DEFAULT_ENDPOINT = '127.0.0.1:8080';

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return env['ALIBABA_CLOUD_CONFIG_FILE'] ?? join(env['HOME'] ?? homedir(), '.aliyun', 'config.json');
}

export function readConfig(path: string): ConfigFile {
  if (!existsSync(path)) return { current: '', profiles: [], meta_path: '' };
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ConfigFile>;
  return { ...parsed, current: parsed.current ?? '', profiles: Array.isArray(parsed.profiles) ? parsed.profiles : [], meta_path: parsed.meta_path ?? '' };
}

/** Writes the file as the aliyun CLI does (0600, its folder 0700), through a new file renamed into place. */
export function writeConfig(path: string, config: ConfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, JSON.stringify(config, null, '\t') + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

/** A new profile with the aliyun CLI's defaults for the fields not given. */
export function newProfile(name: string, p: Partial<Profile>): Profile {
  return {
    name, mode: 'AK', access_key_id: '', access_key_secret: '', sts_token: '', ram_role_name: '', ram_role_arn: '', ram_session_name: '',
    private_key: '', key_pair_name: '', expired_seconds: 0, verified: '', region_id: 'cn-hangzhou', output_format: 'json', language: 'en',
    site: '', retry_timeout: 0, connect_timeout: 0, retry_count: 0, process_command: '', credentials_uri: '', ...p,
  };
}

/** Adds or replaces the profile and makes it current. */
export function saveProfile(path: string, profile: Profile): void {
  const config = readConfig(path);
  const rest = config.profiles.filter((p) => p.name !== profile.name);
  writeConfig(path, { ...config, current: profile.name, profiles: [...rest, profile] });
}

export interface Resolved {
  endpoint: string;
  regionId: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** RamRoleArn: the role to assume with the keys above before the call */
  assume?: { roleArn: string; sessionName: string; durationSeconds: number };
}

export class ProfileError extends Error {}

/** Where the call goes and with which credentials (see the file's header for the order). */
export function resolveCredentials(o: { profile?: string; region?: string; endpoint?: string; accessKeyId?: string; accessKeySecret?: string; stsToken?: string }, env: NodeJS.ProcessEnv = process.env): Resolved {
  const config = readConfig(configPath(env));
  const wanted = o.profile ?? env['ALIBABA_CLOUD_PROFILE'];
  const profile = wanted !== undefined ? config.profiles.find((p) => p.name === wanted) : config.profiles.find((p) => p.name === (config.current || 'default'));
  if (wanted !== undefined && profile === undefined) throw new ProfileError(`the profile "${wanted}" is not in ${configPath(env)} (parapet configure --profile ${wanted})`);
  const endpoint = o.endpoint ?? env['PARAPET_ENDPOINT'] ?? profile?.endpoint ?? DEFAULT_ENDPOINT;
  const regionId = o.region ?? env['ALIBABA_CLOUD_REGION_ID'] ?? (profile?.region_id || 'cn-hangzhou');
  const base = { endpoint, regionId };
  if (o.accessKeyId !== undefined && o.accessKeySecret !== undefined) {
    return { ...base, accessKeyId: o.accessKeyId, accessKeySecret: o.accessKeySecret, ...(o.stsToken !== undefined ? { securityToken: o.stsToken } : {}) };
  }
  const envId = env['ALIBABA_CLOUD_ACCESS_KEY_ID'];
  const envSecret = env['ALIBABA_CLOUD_ACCESS_KEY_SECRET'];
  if (o.profile === undefined && envId !== undefined && envSecret !== undefined) {
    const token = env['ALIBABA_CLOUD_SECURITY_TOKEN'];
    return { ...base, accessKeyId: envId, accessKeySecret: envSecret, ...(token !== undefined && token !== '' ? { securityToken: token } : {}) };
  }
  if (profile === undefined) throw new ProfileError(`no credentials: run \`parapet configure\`, or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET`);
  if (profile.access_key_id === '' || profile.access_key_secret === '') throw new ProfileError(`the profile "${profile.name}" has no AccessKey`);
  const keys = { accessKeyId: profile.access_key_id, accessKeySecret: profile.access_key_secret };
  switch (profile.mode) {
    case 'AK': return { ...base, ...keys };
    case 'StsToken': return { ...base, ...keys, securityToken: profile.sts_token };
    case 'RamRoleArn': return {
      ...base, ...keys,
      assume: { roleArn: profile.ram_role_arn, sessionName: profile.ram_session_name || 'parapet-cli', durationSeconds: profile.expired_seconds || 900 },
    };
    default: throw new ProfileError(`the profile "${profile.name}" has mode ${String(profile.mode)}: Parapet takes ${PROFILE_MODES.join(', ')}`);
  }
}
