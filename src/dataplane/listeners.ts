// Sockets inside a namespace without a process per namespace: a short-lived child started with
// `ip netns exec` binds the listening sockets there and hands them to this process over the IPC
// channel (Node's handle passing), then exits. The sockets keep their namespace, so this process
// accepts connections in every VPC namespace and sees each instance's real source address.
import { spawn } from 'node:child_process';
import type net from 'node:net';

const CHILD = `
const net = require('node:net');
const addrs = JSON.parse(process.argv[1]);
let pending = addrs.length;
const servers = addrs.map((a) => {
  const s = net.createServer({ pauseOnConnect: true });
  s.on('error', (e) => { console.error(String(e)); process.exit(2); });
  s.listen({ host: a.host, port: a.port, backlog: 511 }, () => {
    process.send({ host: a.host, port: a.port }, s, () => { if (--pending === 0) process.exit(0); });
  });
  return s;
});
`;

/** Binds `addrs` inside namespace `ns` and returns the listening servers, in the same order. */
export function listenInNamespace(ns: string, addrs: ReadonlyArray<{ host: string; port: number }>): Promise<net.Server[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', CHILD, JSON.stringify(addrs)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const got = new Map<string, net.Server>();
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, 10_000);
    child.on('message', (m: { host: string; port: number }, handle: unknown) => {
      // the cast: the child sends exactly one net.Server handle with each message
      got.set(`${m.host}:${m.port}`, handle as net.Server);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      const servers = addrs.map((a) => got.get(`${a.host}:${a.port}`));
      // every() narrows: its callback is a type predicate (none is undefined)
      if (servers.every((s) => s !== undefined)) resolve(servers);
      else {
        for (const s of servers) s?.close();
        reject(new Error(`binding ${addrs.map((a) => `${a.host}:${a.port}`).join(', ')} in ${ns} failed (${code}): ${stderr.trim()}`));
      }
    });
  });
}
