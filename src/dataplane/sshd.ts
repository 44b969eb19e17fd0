// A real OpenSSH server in each Linux instance (SPEC §2), run in the instance's sandbox
// (sandbox.ts), never on the host: it accepts root with exactly the instance's key in force at the
// boot and, when the instance has a password in force, with that password (both change only at a
// start or reboot, and each boots the sandbox again); with none, password logons are refused. It
// logs to stderr, which the agent appends to `sshd.log` in the instance's state folder on the host.
// The host key stays on the host (kept across reboots) and is handed to each boot with the key and
// the password's hash in force; the boot script writes them inside and starts sshd.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { must } from './sh.ts';
import { SHA512_CRYPT_HASH } from '../engine/sha512-crypt.ts';
import { Sandbox, instanceDir } from './sandbox.ts';
import type { AgentLog } from './log.ts';

/** sshd must be started by its absolute path (it re-executes itself); the image has it at the same path */
export const SSHD = '/usr/sbin/sshd';

/**
 * The key in force, the host key and root's password hash, written inside at every boot (root
 * inside may change them until the next). sshd (UsePAM=no) checks a password against root's line
 * of /etc/shadow with crypt(3): that line is rewritten with the hash in force, or `*` (no password
 * matches) when there is none; the instance's other lines stay. A new file renamed into place, so
 * that a boot never leaves a half-written shadow.
 */
const BOOT = `umask 077
mkdir -p /etc/ssh && mkdir -p -m 0755 /run/sshd || exit 1
rm -f /etc/ssh/ssh_host_ed25519_key /etc/ssh/authorized_keys /etc/shadow.parapet
printf '%s' "$PARAPET_HOST_KEY" > /etc/ssh/ssh_host_ed25519_key || exit 1
printf '%s' "$PARAPET_AUTHORIZED_KEYS" > /etc/ssh/authorized_keys || exit 1
{ printf 'root:%s:19000:0:99999:7:::\\n' "\${PARAPET_ROOT_HASH:-*}"; grep -v '^root:' /etc/shadow 2>/dev/null || true; } > /etc/shadow.parapet || exit 1
mv -f /etc/shadow.parapet /etc/shadow || exit 1
unset PARAPET_HOST_KEY PARAPET_AUTHORIZED_KEYS PARAPET_ROOT_HASH
exec "$@" </dev/null`;

/**
 * sshd's whole configuration (`-f /dev/null`: nothing inside the instance configures the platform's
 * sshd at boot). Password logons (root's, checked against /etc/shadow: UsePAM=no) are on exactly
 * when the instance has a password in force; empty passwords never.
 */
function options(password: boolean): string[] {
  return [
    'Port=22', 'ListenAddress=0.0.0.0', 'ListenAddress=::', 'HostKey=/etc/ssh/ssh_host_ed25519_key', 'PidFile=none',
    'AuthorizedKeysFile=/etc/ssh/authorized_keys', 'PubkeyAuthentication=yes', `PasswordAuthentication=${password ? 'yes' : 'no'}`,
    'PermitEmptyPasswords=no', 'KbdInteractiveAuthentication=no', `PermitRootLogin=${password ? 'yes' : 'prohibit-password'}`, 'UsePAM=no',
    'StrictModes=no', 'LogLevel=INFO', 'PrintMotd=no', 'PrintLastLog=no', 'AcceptEnv=LANG', 'Subsystem=sftp /usr/lib/openssh/sftp-server',
  ];
}

export class Sshd {
  private readonly sandbox: Sandbox;

  /** `onOutput`: sshd's log lines as they are written (Security Center's watcher, security-watch.ts) */
  constructor(private readonly stateDir: string, private readonly instanceId: string, log: AgentLog, onOutput?: (chunk: string) => void) {
    this.sandbox = new Sandbox(stateDir, instanceId, join(this.dir, 'sshd.log'), (code, tail) => {
      log.warn({ instanceId, code, output: tail.trim().split('\n').slice(-5) }, 'the sandbox (sshd) of an instance ended; it boots again at the next round');
    }, onOutput);
  }

  /** A process inside the instance's network namespace while the sandbox runs (its init). */
  get pid(): number | undefined { return this.sandbox.pid; }

  private get dir(): string { return instanceDir(this.stateDir, this.instanceId); }

  /** Whether the instance's sandbox still runs. */
  get running(): boolean { return this.sandbox.running; }

  /** Boots the instance's sandbox with sshd in it; resolves once sshd listens. `passwordHash`: root's `$6$` hash, '' for none. */
  async start(p: { image: string; hostName: string; publicKey: string; passwordHash: string }): Promise<void> {
    // INVARIANT: only a well-formed `$6$` hash reaches /etc/shadow (no `:` or newline could add a field or a line)
    if (p.passwordHash !== '' && !SHA512_CRYPT_HASH.test(p.passwordHash)) throw new Error(`the password hash of ${this.instanceId} is not a SHA-512 crypt hash`);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const hostKey = join(this.dir, 'ssh_host_ed25519_key');
    if (!existsSync(hostKey)) await must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', this.instanceId, '-f', hostKey]);
    await this.sandbox.boot({
      image: p.image, hostName: p.hostName,
      command: ['/bin/sh', '-c', BOOT, 'boot', SSHD, '-D', '-e', '-f', '/dev/null', ...options(p.passwordHash !== '').flatMap((o) => ['-o', o])],
      env: {
        PARAPET_HOST_KEY: readFileSync(hostKey, 'utf8'), PARAPET_AUTHORIZED_KEYS: p.publicKey === '' ? '' : p.publicKey.trim() + '\n',
        PARAPET_ROOT_HASH: p.passwordHash,
      },
      ready: /Server listening on 0\.0\.0\.0 port 22/,
    });
  }

  /** Ends the sandbox (sshd and everything a logon started); the layer stays. */
  stop(): Promise<void> {
    return this.sandbox.stop();
  }
}
