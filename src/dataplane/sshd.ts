// A real OpenSSH server in each Linux instance (SPEC §2), run in the instance's sandbox
// (sandbox.ts), never on the host: it accepts root with exactly the instance's key in force at the
// boot (the key changes only at a start or reboot, and each boots the sandbox again), never a
// password, and logs to stderr, which the agent appends to `sshd.log` in the instance's state
// folder on the host. The host key stays on the host (kept across reboots) and is handed to each
// boot with the key in force; the boot script writes both inside and starts sshd.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { must } from './sh.ts';
import { Sandbox, instanceDir } from './sandbox.ts';
import type { AgentLog } from './log.ts';

/** sshd must be started by its absolute path (it re-executes itself); the image has it at the same path */
export const SSHD = '/usr/sbin/sshd';

/** the key in force and the host key, written inside at every boot (root inside may change them until the next) */
const BOOT = `umask 077
mkdir -p /etc/ssh && mkdir -p -m 0755 /run/sshd || exit 1
rm -f /etc/ssh/ssh_host_ed25519_key /etc/ssh/authorized_keys
printf '%s' "$PARAPET_HOST_KEY" > /etc/ssh/ssh_host_ed25519_key || exit 1
printf '%s' "$PARAPET_AUTHORIZED_KEYS" > /etc/ssh/authorized_keys || exit 1
unset PARAPET_HOST_KEY PARAPET_AUTHORIZED_KEYS
exec "$@" </dev/null`;

/** sshd's whole configuration (`-f /dev/null`: nothing inside the instance configures the platform's sshd at boot) */
const OPTIONS = [
  'Port=22', 'ListenAddress=0.0.0.0', 'HostKey=/etc/ssh/ssh_host_ed25519_key', 'PidFile=none',
  'AuthorizedKeysFile=/etc/ssh/authorized_keys', 'PubkeyAuthentication=yes', 'PasswordAuthentication=no',
  'KbdInteractiveAuthentication=no', 'PermitRootLogin=prohibit-password', 'UsePAM=no', 'StrictModes=no', 'LogLevel=INFO',
  'PrintMotd=no', 'PrintLastLog=no', 'AcceptEnv=LANG', 'Subsystem=sftp /usr/lib/openssh/sftp-server',
];

export class Sshd {
  private readonly sandbox: Sandbox;

  constructor(private readonly stateDir: string, private readonly instanceId: string, log: AgentLog) {
    this.sandbox = new Sandbox(stateDir, instanceId, join(this.dir, 'sshd.log'), (code, tail) => {
      log.warn({ instanceId, code, output: tail.trim().split('\n').slice(-5) }, 'the sandbox (sshd) of an instance ended; it boots again at the next round');
    });
  }

  private get dir(): string { return instanceDir(this.stateDir, this.instanceId); }

  /** Whether the instance's sandbox still runs. */
  get running(): boolean { return this.sandbox.running; }

  /** Boots the instance's sandbox with sshd in it; resolves once sshd listens. */
  async start(p: { image: string; hostName: string; publicKey: string }): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const hostKey = join(this.dir, 'ssh_host_ed25519_key');
    if (!existsSync(hostKey)) await must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', this.instanceId, '-f', hostKey]);
    await this.sandbox.boot({
      image: p.image, hostName: p.hostName,
      command: ['/bin/sh', '-c', BOOT, 'boot', SSHD, '-D', '-e', '-f', '/dev/null', ...OPTIONS.flatMap((o) => ['-o', o])],
      env: { PARAPET_HOST_KEY: readFileSync(hostKey, 'utf8'), PARAPET_AUTHORIZED_KEYS: p.publicKey === '' ? '' : p.publicKey.trim() + '\n' },
      ready: /Server listening on 0\.0\.0\.0 port 22/,
    });
  }

  /** Ends the sandbox (sshd and everything a logon started); the layer stays. */
  stop(): Promise<void> {
    return this.sandbox.stop();
  }
}
