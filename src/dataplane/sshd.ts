// A real OpenSSH server inside a Linux instance's namespace (SPEC §2): it accepts exactly the
// instance's key in force (authorized_keys is rewritten when that key changes, at a start or a
// reboot), never a password, and logs every logon to `sshd.log` in the instance's state folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { must } from './sh.ts';
import type { AgentLog } from './agent.ts';

/** sshd must be started by its absolute path (it re-executes itself) */
export const SSHD = '/usr/sbin/sshd';

export class Sshd {
  private child: ChildProcess | undefined;
  private stopping = false;

  constructor(readonly dir: string, private readonly ns: string, private readonly log: AgentLog) {}

  get logFile(): string { return join(this.dir, 'sshd.log'); }

  async start(publicKey: string): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const hostKey = join(this.dir, 'ssh_host_ed25519_key');
    if (!existsSync(hostKey)) await must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', this.ns, '-f', hostKey]);
    this.setKey(publicKey);
    const config = join(this.dir, 'sshd_config');
    writeFileSync(config, [
      'Port 22', 'ListenAddress 0.0.0.0', `HostKey ${hostKey}`, `PidFile ${join(this.dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`, 'PubkeyAuthentication yes', 'PasswordAuthentication no',
      'KbdInteractiveAuthentication no', 'PermitRootLogin prohibit-password', 'UsePAM no', 'StrictModes no', 'LogLevel INFO',
      'PrintMotd no', 'AcceptEnv LANG', '',
    ].join('\n'), { mode: 0o600 });
    this.child = spawn('ip', ['netns', 'exec', this.ns, SSHD, '-D', '-f', config, '-E', this.logFile], { stdio: 'ignore' });
    this.child.on('exit', (code) => {
      if (!this.stopping) this.log.warn({ instanceId: this.ns, code }, 'sshd exited');
    });
  }

  /** The key in force: sshd reads authorized_keys at every logon, so no restart is needed. */
  setKey(publicKey: string): void {
    writeFileSync(join(this.dir, 'authorized_keys'), publicKey === '' ? '' : publicKey.trim() + '\n', { mode: 0o600 });
  }

  stop(): void {
    this.stopping = true;
    this.child?.kill('SIGTERM');
  }
}
