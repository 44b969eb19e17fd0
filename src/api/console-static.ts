// The built web console's files (Vite's output, `console/dist/`) under `/console/`: a file when
// the path names one, `index.html` for any other path (the single-page app routes it), and a page
// saying how to build when there is no build. Files are read from one folder and nothing outside
// it: a path with `..`, `.`, a backslash or NUL in it, or one that resolves (symbolic links
// followed) outside the folder, is refused. Compressible files are sent gzipped to clients that
// accept it, compressed once per file version. The app's page (`index.html`) may carry data the
// caller gives for this request (the signed-in session, console-session.ts) before `</head>`; such
// a page is never stored by caches.
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { LRUCache } from 'lru-cache';

const gzip = promisify(gzipCb);

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.map': 'application/json', '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp',
  '.ico': 'image/x-icon', '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.wasm': 'application/wasm',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.txt', '.svg']);

/** What answers a GET under /console/: status, headers and body. */
export interface StaticAnswer { status: number; headers: Record<string, string>; body: Buffer | string }

/** The page answered when the console has not been built. */
export const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parapet console: not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>The Parapet console has not been built</h1>
<p>This server has no built console to serve. Build it in the Parapet folder, then reload this page:</p>
<pre>npm run console:build</pre>
<p>(<code>npm install</code> builds it too.) The API on this port works without it.</p>
</body></html>
`;

const COMMON = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'content-security-policy': "frame-ancestors 'none'" };

export class ConsoleFiles {
  private realRoot: string | undefined;
  private readonly gzipped = new LRUCache<string, Buffer>({ max: 200 });

  /** `root`: the built console's folder (absolute). */
  constructor(private readonly root: string) {}

  /**
   * The answer for `rest`, the raw (still percent-encoded) path below `/console/`, query removed;
   * undefined when the path is refused (the caller answers its not-found error). `pageData`: asked
   * only when the answer is the app's page, markup for its head (undefined: the page as built).
   */
  async answer(rest: string, acceptsGzip: boolean, pageData?: () => Promise<string | undefined>): Promise<StaticAnswer | undefined> {
    let rel: string;
    try { rel = decodeURIComponent(rest); } catch { return undefined; }
    const segments = rel.split('/');
    if (rel.includes('\0') || rel.includes('\\') || segments.some((s) => s === '..' || s === '.')) return undefined;
    const root = await this.resolvedRoot();
    if (root === undefined || !await isFile(join(root, 'index.html'))) {
      return { status: 503, headers: { ...COMMON, 'content-type': TYPES['.html']!, 'cache-control': 'no-cache' }, body: MISSING_BUILD_PAGE };
    }
    let file = join(root, 'index.html');
    if (rel !== '' && !rel.endsWith('/')) {
      const candidate = join(root, ...segments);
      const real = await realpath(candidate).catch(() => undefined);
      if (real !== undefined) {
        // INVARIANT: nothing outside the build's folder is read, whatever links it holds
        if (!real.startsWith(root + sep)) return undefined;
        if (await isFile(real)) file = real;
      }
    }
    if (file === join(root, 'index.html') && pageData !== undefined) {
      const data = await pageData();
      if (data !== undefined) return this.sendPage(file, data, acceptsGzip);
    }
    return this.send(file, acceptsGzip, file.startsWith(join(root, 'assets') + sep));
  }

  /** The app's page with `data` before `</head>`: for this request only. */
  private async sendPage(file: string, data: string, acceptsGzip: boolean): Promise<StaticAnswer> {
    const html = await readFile(file, 'utf8');
    const at = html.search(/<\/head>/i);
    const page = at < 0 ? data + html : html.slice(0, at) + data + html.slice(at);
    const headers: Record<string, string> = { ...COMMON, 'content-type': TYPES['.html']!, 'cache-control': 'no-store', vary: 'accept-encoding, cookie' };
    if (!acceptsGzip) return { status: 200, headers, body: page };
    headers['content-encoding'] = 'gzip';
    return { status: 200, headers, body: await gzip(page) };
  }

  private async resolvedRoot(): Promise<string | undefined> {
    if (this.realRoot === undefined) this.realRoot = await realpath(this.root).catch(() => undefined);
    return this.realRoot;
  }

  private async send(file: string, acceptsGzip: boolean, hashed: boolean): Promise<StaticAnswer> {
    const ext = extname(file).toLowerCase();
    const headers: Record<string, string> = {
      ...COMMON, 'content-type': TYPES[ext] ?? 'application/octet-stream',
      // Vite's assets/ carry a content hash in their names; everything else (index.html) is revalidated
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
    if (!COMPRESSIBLE.has(ext)) return { status: 200, headers, body: await readFile(file) };
    headers['vary'] = 'accept-encoding';
    if (!acceptsGzip) return { status: 200, headers, body: await readFile(file) };
    const st = await stat(file);
    const key = `${file}\0${st.mtimeMs}\0${st.size}`;
    let body = this.gzipped.get(key);
    if (body === undefined) {
      body = await gzip(await readFile(file));
      this.gzipped.set(key, body);
    }
    headers['content-encoding'] = 'gzip';
    return { status: 200, headers, body };
  }
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() === true;
}
