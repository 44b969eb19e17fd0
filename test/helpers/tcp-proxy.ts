// A TCP proxy in front of PostgreSQL for tests that take the database away: `cut()` ends every
// connection and refuses new ones (an outage), `refuseNew()` keeps the live connections but
// refuses new ones, `restore()` lets connections through again.
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** how many connections were made through the proxy so far */
  accepted(): number;
  cut(): void;
  refuseNew(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const live = new Set<net.Socket>();
  let mode: 'open' | 'refuse' = 'open';
  let count = 0;
  const server = net.createServer((client) => {
    if (mode === 'refuse') { client.destroy(); return; }
    count++;
    const upstream = net.connect(target.port, target.host);
    live.add(client);
    live.add(upstream);
    const end = () => { client.destroy(); upstream.destroy(); live.delete(client); live.delete(upstream); };
    client.on('error', end); upstream.on('error', end);
    client.on('close', end); upstream.on('close', end);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    accepted: () => count,
    cut: () => { mode = 'refuse'; for (const s of live) s.destroy(); live.clear(); },
    refuseNew: () => { mode = 'refuse'; },
    restore: () => { mode = 'open'; },
    close: () => new Promise((resolve) => { for (const s of live) s.destroy(); server.close(() => resolve()); }),
  };
}
