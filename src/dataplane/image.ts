// The root filesystem every Linux instance boots from (DATAPLANE.md "The sandbox"): busybox for the
// tools and /bin/sh, bash for root's logons, OpenSSH's sshd and sftp-server (and iputils' ping where
// the machine has it) with exactly the shared libraries `ldd` names for them, all copied from this
// machine's installed Debian packages (busybox-static, bash, openssh-server, openssh-sftp-server,
// iputils-ping), and the few files sshd and a logon read (passwd, group, utmp, ...). It is built
// once per state dir at first use, in a temporary directory renamed into place, and rebuilt when
// its inputs change (the copied files, or FORMAT below). Instances share it read-only: it is the
// lower layer of each instance's overlay (sandbox.ts), so nothing inside ever writes it.
// INVARIANT: the image holds no symlink on a path the sandbox mounts onto (/, /dev, /proc): the
// layer above may replace those, and sandbox.ts checks only the layer.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { must, run } from './sh.ts';

/** bumped whenever what build() writes changes, so every state dir rebuilds its image */
const FORMAT = 'parapet-image-1';
export const BUSYBOX = '/bin/busybox';
/**
 * The programs the image runs, at the same paths as on this machine (sshd re-executes itself by its
 * absolute path). bash is root's shell: busybox's own shell runs busybox's applet for every name it
 * has, whatever PATH holds, so there `ping` could never be iputils' below.
 */
const PROGRAMS = [BUSYBOX, '/bin/bash', '/usr/sbin/sshd', '/usr/lib/openssh/sftp-server'];
/**
 * iputils' ping (iputils-ping) instead of busybox's where this machine has it: the sandbox has no
 * raw sockets, and only iputils' ping falls back to ICMP datagram sockets. Copied without its file
 * capability (a file capability the bounding set lacks would make exec fail).
 */
const OPTIONAL_PROGRAMS = ['/bin/ping'];

const FILES: ReadonlyArray<{ path: string; mode: number; text: string }> = [
  // the sshd account is sshd's privilege-separation user (compiled in); its chroot is /run/sshd
  { path: 'etc/passwd', mode: 0o644, text: 'root:x:0:0:root:/root:/bin/bash\nsshd:x:100:65534::/run/sshd:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' },
  // sshd gives a logon's pty to the tty group
  { path: 'etc/group', mode: 0o644, text: 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' },
  // `*`: no password can ever match; `!` would lock root out of key logons too. Each boot rewrites root's
  // line with the instance's password hash in force, or `*` again (sshd.ts)
  { path: 'etc/shadow', mode: 0o600, text: 'root:*:19000:0:99999:7:::\nsshd:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n' },
  // glibc 2.34+ has the files service built in: no libnss_*.so to copy
  { path: 'etc/nsswitch.conf', mode: 0o644, text: 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n' },
  { path: 'etc/profile', mode: 0o644, text: 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nPS1=\'\\u@\\h:\\w\\$ \'\n' },
  { path: 'etc/os-release', mode: 0o644, text: 'NAME="Parapet instance"\nID=parapet\nPRETTY_NAME="Parapet instance (busybox, OpenSSH)"\n' },
  // a pty logon records itself here; sshd complains when they are missing
  { path: 'run/utmp', mode: 0o664, text: '' },
  { path: 'var/log/wtmp', mode: 0o664, text: '' },
  { path: 'var/log/btmp', mode: 0o600, text: '' },
  { path: 'var/log/lastlog', mode: 0o664, text: '' },
];

/** /etc/hosts when the agent names no endpoints */
const DEFAULT_HOSTS = '127.0.0.1\tlocalhost\n';

const DIRS: ReadonlyArray<{ path: string; mode: number }> = [
  { path: 'dev', mode: 0o755 }, { path: 'proc', mode: 0o555 }, { path: 'sys', mode: 0o555 }, { path: 'mnt', mode: 0o755 },
  { path: 'root', mode: 0o700 }, { path: 'home', mode: 0o755 }, { path: 'tmp', mode: 0o1777 }, { path: 'var/tmp', mode: 0o1777 },
  // sshd refuses a privilege-separation directory that anyone but root may write
  { path: 'run/sshd', mode: 0o755 }, { path: 'etc/ssh', mode: 0o755 }, { path: 'var/log', mode: 0o755 },
];

/**
 * The image's directory under `stateDir`, built or rebuilt first when needed. `hosts` is its
 * /etc/hosts (hosts.ts: the endpoint names at the API address); a change rebuilds the image.
 */
export async function ensureImage(stateDir: string, hosts: string = DEFAULT_HOSTS): Promise<string> {
  const dir = join(stateDir, 'image');
  const idFile = join(stateDir, 'image.id');
  const inputs = await imageInputs();
  const id = createHash('sha256').update(JSON.stringify([FORMAT, inputs.map((f) => [f, statSync(f).size, statSync(f).mtimeMs]), hosts])).digest('hex');
  if (existsSync(dir) && existsSync(idFile) && readFileSync(idFile, 'utf8') === id) return dir;

  // build beside it, then swap: an image is never seen half-built. No sandbox runs at this point:
  // the agent builds before its first boot, after ending whatever an earlier agent left running.
  for (const stale of readdirSync(stateDir)) if (stale.startsWith('image.new-')) rmSync(join(stateDir, stale), { recursive: true, force: true });
  const tmp = mkdtempSync(join(stateDir, 'image.new-'));
  try {
    await build(tmp, inputs, hosts);
    const old = existsSync(dir) ? `${tmp}.old` : undefined;
    if (old !== undefined) renameSync(dir, old);
    renameSync(tmp, dir);
    writeFileSync(idFile, id);
    if (old !== undefined) rmSync(old, { recursive: true, force: true });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return dir;
}

/** The programs and every shared library they load (from `ldd`, which also names the loader). */
async function imageInputs(): Promise<string[]> {
  for (const p of PROGRAMS) {
    if (!existsSync(p)) throw new Error(`the instance image needs ${p} (apt-get install busybox-static openssh-server openssh-sftp-server)`);
  }
  const programs = [...PROGRAMS, ...OPTIONAL_PROGRAMS.filter((p) => existsSync(p))];
  const files = new Set(programs);
  for (const p of programs) {
    const r = await run('ldd', [p]);
    // a static program (busybox-static): nothing to copy
    if (r.code !== 0 && /not a dynamic executable/.test(r.stdout + r.stderr)) continue;
    if (r.code !== 0) throw new Error(`ldd ${p} failed: ${r.stderr.trim()}`);
    for (const line of r.stdout.split('\n')) {
      if (/=> not found/.test(line)) throw new Error(`${p} needs a library this machine lacks: ${line.trim()}`);
      const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
      if (m !== null) files.add(m[1]!);
    }
  }
  return [...files].sort();
}

async function build(root: string, inputs: readonly string[], hosts: string): Promise<void> {
  chmodSync(root, 0o755);
  for (const d of DIRS) {
    mkdirSync(join(root, d.path), { recursive: true, mode: 0o755 });
    chmodSync(join(root, d.path), d.mode);
  }
  // each file at the path the loader and sshd expect, as a plain file: this machine's /lib and
  // /lib64 are symlinks into /usr (merged /usr); in the image the paths are real directories
  for (const src of inputs) {
    const dst = join(root, src);
    mkdirSync(dirname(dst), { recursive: true, mode: 0o755 });
    copyFileSync(realpathSync(src), dst);
    chmodSync(dst, statSync(src).mode & 0o755);
  }
  // one link per busybox applet (`/bin/sh`, `/usr/bin/find`, ...)
  for (const rel of (await must(BUSYBOX, ['--list-full'])).split('\n').map((l) => l.trim())) {
    if (rel === '' || join('/', rel) === BUSYBOX) continue;
    const dst = join(root, rel);
    if (existsSync(dst)) continue;
    mkdirSync(dirname(dst), { recursive: true, mode: 0o755 });
    symlinkSync(BUSYBOX, dst);
  }
  symlinkSync('/run', join(root, 'var/run'));
  for (const f of [...FILES, { path: 'etc/hosts', mode: 0o644, text: hosts }]) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true, mode: 0o755 });
    writeFileSync(join(root, f.path), f.text, { mode: f.mode });
    chmodSync(join(root, f.path), f.mode);
  }
}
