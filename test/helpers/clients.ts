// Real third-party clients of Parapet that are not npm packages (aliyungo from Debian's Go
// packages): whether they are installed, and the skip
// reason a test gives when one is missing. PARAPET_REQUIRE_CLIENTS=1 (.ci/run) makes them
// mandatory: a missing client then fails the test instead of skipping it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const REQUIRE_CLIENTS = process.env['PARAPET_REQUIRE_CLIENTS'] === '1';

/** Where Debian's Go packages live (GOPATH layout), the aliyungo package inside it. */
export const DEBIAN_GOPATH = '/usr/share/gocode';
const ALIYUNGO = `${DEBIAN_GOPATH}/src/github.com/denverdino/aliyungo/ecs`;

function runs(cmd: string, args: string[]): boolean {
  try { execFileSync(cmd, args, { stdio: 'ignore' }); return true; } catch { return false; }
}

/** false when usable; the reason otherwise (a test's `skip`), never a reason when the clients are required. */
function skipUnless(ok: boolean, why: string): false | string {
  return ok || REQUIRE_CLIENTS ? false : why;
}

export const aliyungoSkip = (): false | string =>
  skipUnless(runs('go', ['version']) && existsSync(ALIYUNGO), 'go or aliyungo is not installed (apt-get install golang-go golang-github-denverdino-aliyungo-dev)');
