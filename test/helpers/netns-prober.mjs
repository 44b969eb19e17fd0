// The prober child: a small long-lived process that runs inside a network namespace (started by
// `ip netns exec <ns> node netns-prober.mjs`, see netns.ts) and opens real sockets there on request.
// Plain JS so it starts without tsx; the request/response types live in netns.ts (`ProberRequest`).
//
// Protocol over the Node IPC channel: the parent sends `{ id, op, ...args }`, the child answers
// `{ id, ok: true, result }` or `{ id, ok: false, error }`, once per request; `{ ready: true }` is
// sent once at start.
// INVARIANT: every operation is bounded in time by its own timer, and every socket it opens is
// destroyed when it settles (held connections and listeners live until the child exits).
// INVARIANT: the child exits when the IPC channel closes, so a dead or careless parent cannot leave
// it behind.
import net from 'node:net';
import dgram from 'node:dgram';

/** @type {Map<number, { socket: net.Socket; buffer: string; dead: boolean; waiters: Set<() => void> }>} */
const held = new Map();
/** @type {Array<net.Server | dgram.Socket>} */
const listeners = [];
let nextHeldId = 1;
let nextToken = 1;
const MAX_TIMEOUT_MS = 60_000;

function boundedTimeout(value, fallback) {
  const ms = value ?? fallback;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new Error(`invalid timeout ${String(value)}`);
  return Math.min(ms, MAX_TIMEOUT_MS);
}

/** A fresh payload that cannot be confused with an earlier probe's echo. */
function token(kind) {
  return `parapet-${kind}-${process.pid}-${nextToken++}`;
}

function tcpListen({ port, host }) {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      socket.on('error', () => socket.destroy());
      socket.pipe(socket);
    });
    server.once('error', reject);
    // A deep accept queue (capped by net.core.somaxconn) so bursts of connects are not dropped.
    // host '::' listens on IPv6 only (an IPv4 listener on the same port may sit beside it)
    server.listen({ port, host: host ?? '0.0.0.0', backlog: 4096, ...(host === '::' ? { ipv6Only: true } : {}) }, () => {
      listeners.push(server);
      resolve(undefined);
    });
  });
}

function udpListen({ port, address }) {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(address?.includes(':') ? { type: 'udp6', ipv6Only: true } : 'udp4');
    socket.once('error', reject);
    socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
    socket.bind({ port, address: address ?? '0.0.0.0' }, () => {
      socket.removeListener('error', reject);
      socket.on('error', () => { /* a failed echo send is the prober's loss, not a crash */ });
      listeners.push(socket);
      resolve(undefined);
    });
  });
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);

/**
 * Connect and report how it went. Resolves with the open socket (caller owns it) or an outcome.
 * ECONNREFUSED -> 'refused'; no answer in time, or EHOSTUNREACH/ENETUNREACH/ETIMEDOUT -> 'timeout'.
 * Anything else (EADDRINUSE for a busy localPort, EINVAL...) is a bug in the test and rejects.
 * @returns {Promise<{ outcome: 'open'; socket: net.Socket } | { outcome: 'refused' | 'timeout' }>}
 */
function connect(ip, port, timeoutMs, opts = {}) {
  return new Promise((resolve, reject) => {
    const options = { host: ip, port };
    if (opts.localAddress !== undefined) options.localAddress = opts.localAddress;
    if (opts.localPort !== undefined) options.localPort = opts.localPort;
    const socket = net.connect(options);
    const settle = (fn) => {
      clearTimeout(timer);
      socket.removeAllListeners('connect');
      socket.removeAllListeners('error');
      socket.on('error', () => { /* after settling, the owner decides; an unowned error must not kill the child */ });
      fn();
    };
    const timer = setTimeout(() => settle(() => { socket.destroy(); resolve({ outcome: 'timeout' }); }), timeoutMs);
    socket.once('connect', () => settle(() => resolve({ outcome: 'open', socket })));
    socket.once('error', (err) => settle(() => {
      socket.destroy();
      if (err.code === 'ECONNREFUSED') resolve({ outcome: 'refused' });
      else if (TIMEOUT_CODES.has(err.code)) resolve({ outcome: 'timeout' });
      else reject(err);
    }));
  });
}

async function tcpConnect({ ip, port, timeoutMs, localAddress, localPort }) {
  const r = await connect(ip, port, boundedTimeout(timeoutMs, 700), { localAddress, localPort });
  if (r.outcome === 'open') r.socket.destroy();
  return r.outcome;
}

function udpProbe({ ip, port, timeoutMs, localAddress, localPort }) {
  const ms = boundedTimeout(timeoutMs, 700);
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(ip.includes(':') ? 'udp6' : 'udp4');
    const payload = token('udp');
    let bound = false;
    const settle = (fn) => { clearTimeout(timer); socket.removeAllListeners(); socket.on('error', () => {}); socket.close(); fn(); };
    const timer = setTimeout(() => settle(() => resolve(false)), ms);
    socket.on('error', (err) => settle(() => (bound ? resolve(false) : reject(err))));
    socket.on('message', (msg, rinfo) => {
      if (rinfo.address === ip && rinfo.port === port && msg.toString() === payload) settle(() => resolve(true));
    });
    const bind = {};
    if (localAddress !== undefined) bind.address = localAddress;
    if (localPort !== undefined) bind.port = localPort;
    socket.bind(bind, () => {
      bound = true;
      // Send errors (e.g. EHOSTUNREACH) surface as 'error' after bind: the probe just fails.
      socket.send(payload, port, ip);
    });
  });
}

async function tcpHold({ ip, port, timeoutMs }) {
  const r = await connect(ip, port, boundedTimeout(timeoutMs, 700));
  if (r.outcome !== 'open') return undefined;
  const id = nextHeldId++;
  const entry = { socket: r.socket, buffer: '', dead: false, waiters: new Set() };
  const wake = () => { for (const w of entry.waiters) w(); };
  r.socket.setEncoding('utf8');
  r.socket.on('data', (chunk) => {
    // Keep only a bounded tail: waiters look for their own fresh token.
    entry.buffer = (entry.buffer + chunk).slice(-65536);
    wake();
  });
  const die = () => { entry.dead = true; r.socket.destroy(); wake(); };
  r.socket.on('error', die);
  r.socket.on('end', die);
  r.socket.on('close', die);
  held.set(id, entry);
  return id;
}

function tcpHeldEcho({ heldId, timeoutMs }) {
  const ms = boundedTimeout(timeoutMs, 700);
  const entry = held.get(heldId);
  if (!entry) return Promise.reject(new Error(`unknown held connection ${String(heldId)}`));
  if (entry.dead) return Promise.resolve(false);
  const line = `${token('held')}\n`;
  return new Promise((resolve) => {
    const check = () => {
      const at = entry.buffer.indexOf(line);
      if (at >= 0) { entry.buffer = entry.buffer.slice(at + line.length); finish(true); } else if (entry.dead) finish(false);
    };
    const finish = (value) => { clearTimeout(timer); entry.waiters.delete(check); resolve(value); };
    const timer = setTimeout(() => finish(false), ms);
    entry.waiters.add(check);
    entry.socket.write(line);
  });
}

// Rate attempts are closed-loop: connect, send one byte, wait for the echo, then close. Open-loop
// (close as soon as connected) lets the client outrun the listener's accept(): the accept queue
// overflows, SYNs are dropped and attempts stall for the 1 s SYN retransmit, so the figure measured
// the echo server's queue rather than the path. With the echo each attempt is a handshake plus one
// data round trip, both through the data plane under test.
// Each connection is closed with an RST (resetAndDestroy), not a FIN: a FIN close leaves the client
// socket in TIME_WAIT for 60 s, and once half the ephemeral range (connect() uses the odd ports) is
// in TIME_WAIT, port selection slows connects from ~17k/s to ~600/s. That would measure the client,
// not the data plane; with RST the port is free at once.
const RATE_ATTEMPT_TIMEOUT_MS = 1000;

/** Send one byte on a fresh socket and wait (bounded) for it to come back; destroys nothing. */
function echoOnce(socket, timeoutMs) {
  return new Promise((resolve) => {
    const settle = (value) => { clearTimeout(timer); socket.removeAllListeners('data'); socket.removeAllListeners('close'); resolve(value); };
    const timer = setTimeout(() => settle(false), timeoutMs);
    socket.once('data', () => settle(true));
    socket.once('close', () => settle(false));
    socket.write('x');
  });
}

async function tcpConnectRate({ ip, port, ms, parallel }) {
  const duration = boundedTimeout(ms, 1000);
  const loops = Math.max(1, Math.min(64, Math.floor(parallel ?? 4)));
  let connections = 0;
  let failures = 0;
  const start = performance.now();
  const deadline = start + duration;
  const loop = async () => {
    // New attempts start only before the deadline; each is bounded by RATE_ATTEMPT_TIMEOUT_MS (not by
    // what is left of the run, which would count a connect merely late in the event loop as failed).
    while (performance.now() < deadline) {
      try {
        const t0 = performance.now();
        const r = await connect(ip, port, RATE_ATTEMPT_TIMEOUT_MS);
        if (r.outcome !== 'open') { failures++; continue; }
        const echoed = await echoOnce(r.socket, Math.max(1, RATE_ATTEMPT_TIMEOUT_MS - (performance.now() - t0)));
        r.socket.resetAndDestroy();
        if (echoed) connections++; else failures++;
      } catch {
        failures++; // e.g. EADDRNOTAVAIL: no free local port. Count it and go on.
      }
    }
  };
  await Promise.all(Array.from({ length: loops }, loop));
  return { connections, failures, seconds: (performance.now() - start) / 1000 };
}

// A paced UDP flood for Anti-DDoS tests: `pps` datagrams a second of `size` bytes to ip:port for
// `ms`, from 8 sockets (8 source ports) in turn, each tick sending what is due by the clock, so the
// rate holds over any tenth of a second whatever the timers do. A send the kernel refuses (a drop
// in this namespace's own output path gives EPERM) is counted and the flood goes on.
async function udpFlood({ ip, port, pps, ms, size, localAddress }) {
  const duration = boundedTimeout(ms, 1000);
  const rate = Math.max(1, Math.min(100_000, Math.floor(pps)));
  const payload = Buffer.alloc(Math.max(0, Math.min(1400, size ?? 64)), 0x55);
  const sockets = await Promise.all(Array.from({ length: 8 }, () => new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind({ address: localAddress ?? '0.0.0.0', port: 0 }, () => { s.removeListener('error', reject); s.on('error', () => undefined); resolve(s); });
  })));
  let attempted = 0;
  let sent = 0;
  let errors = 0;
  const start = performance.now();
  await new Promise((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - start;
      const due = Math.floor((rate * Math.min(elapsed, duration)) / 1000);
      while (attempted < due) {
        const s = sockets[attempted % sockets.length];
        attempted++;
        s.send(payload, port, ip, (err) => { if (err) errors++; else sent++; });
      }
      if (elapsed >= duration) resolve(undefined); else setTimeout(tick, 2);
    };
    tick();
  });
  // the last callbacks
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (const s of sockets) s.close();
  return { attempted, sent, errors, seconds: (performance.now() - start) / 1000 };
}

const OPS = { tcpListen, udpListen, tcpConnect, udpProbe, tcpHold, tcpHeldEcho, tcpConnectRate, udpFlood };

process.on('message', (msg) => {
  const { id, op } = msg;
  const handler = Object.hasOwn(OPS, op) ? OPS[op] : undefined;
  const reply = (body) => { if (process.connected) process.send({ id, ...body }); };
  if (!handler) { reply({ ok: false, error: `unknown op ${String(op)}` }); return; }
  Promise.resolve()
    .then(() => handler(msg))
    .then((result) => reply({ ok: true, result }), (err) => reply({ ok: false, error: err instanceof Error ? `${err.code ?? err.name}: ${err.message}` : String(err) }));
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
