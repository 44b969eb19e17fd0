// Running the `parapet` command as a user would, in tests: the installed entry (bin/parapet.mjs),
// a child process with exactly the environment given (none of this process's credentials or
// Parapet settings leak in), its output collected.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PARAPET_BIN = fileURLToPath(new URL('../../bin/parapet.mjs', import.meta.url));

export interface Ran { code: number; stdout: string; stderr: string }

/** Runs `cmd args` with exactly `env`, from `cwd`; resolves when it ends. */
export function runWith(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, ...(cwd !== undefined ? { cwd } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** This process's environment without its Alibaba Cloud credentials and Parapet settings. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ALIBABA_CLOUD_') && !k.startsWith('PARAPET_')));
}
