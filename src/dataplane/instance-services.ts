// What instances reach besides each other: in every network namespace the metadata service
// (100.100.100.200:80, answered for the instance that owns the source address) and the API
// (100.100.100.100:80, a TCP proxy to the API server, and :443, one to its TLS listener when it
// has one: TLS ends at Parapet, whose certificate names the endpoints instances resolve there,
// hosts.ts), all listening inside the namespace (listeners.ts); and in every Linux instance an sshd in a sandbox of its own (sshd.ts,
// sandbox.ts), booted again at each start or reboot (a new bootSeq). The sandbox's writable layer
// stays while the instance exists, stopped or not.
import http from 'node:http';
import net from 'node:net';
import type { DesiredInstance } from '../domain/dataplane-state.ts';
import { API_ADDRESS, METADATA_ADDRESS } from './names.ts';
import { listenInNamespace } from './listeners.ts';
import { Sshd } from './sshd.ts';
import { instancesWithStateExcept, removeInstanceState } from './sandbox.ts';
import { ensureImage } from './image.ts';
import type { AppliedInstance, AppliedNetwork } from './topology.ts';
import type { AgentLog } from './log.ts';

export interface MetadataAnswer { status: number; body: string; contentType: string }

export interface InstanceServicesOptions {
  /** where the agent keeps sshd keys, the instances' disks and logs */
  stateDir: string;
  /** answers the metadata tree of an instance (100.100.100.200) */
  metadata?: (instanceId: string, method: string, path: string, headers: Record<string, string | string[] | undefined>) => Promise<MetadataAnswer>;
  /** where 100.100.100.100:80 inside instances leads: the API server */
  api?: { host: string; port: number };
  /** where 100.100.100.100:443 leads: the API server's TLS listener (none: nothing listens there) */
  apiTls?: { host: string; port: number };
  /** the instances' /etc/hosts (hosts.ts), in their image */
  hosts?: string;
  /** each instance's sshd output as it is written (Security Center's watcher) */
  sshdOutput?: (instanceId: string, chunk: string) => void;
  log: AgentLog;
}

export class InstanceServices {
  /** network -> private ip -> instance id, for the metadata listener */
  private addressBook = new Map<string, Map<string, string>>();
  /** the instances' shared image (image.ts), built at the first boot */
  private image: Promise<string> | undefined;

  constructor(private readonly opts: InstanceServicesOptions) {}

  /** The instance that owns `ip` in `network` (metadata identity), if it runs. */
  instanceAt(network: string, ip: string): string | undefined {
    return this.addressBook.get(network)?.get(ip);
  }

  /** Replaces the address book (network -> private ip -> instance id) with the round's. */
  setAddressBook(book: Map<string, Map<string, string>>): void {
    this.addressBook = book;
  }

  /** Starts the metadata and API listeners inside the network's namespace; they close with the network (topology.ts). */
  async startListeners(network: string, applied: AppliedNetwork): Promise<void> {
    const apiTls = this.opts.apiTls;
    const addrs = [{ host: METADATA_ADDRESS, port: 80 }, { host: API_ADDRESS, port: 80 }, ...(apiTls !== undefined ? [{ host: API_ADDRESS, port: 443 }] : [])];
    const [metaServer, apiServer, apiTlsServer] = await listenInNamespace(applied.ns, addrs);
    const metadata = this.opts.metadata;
    const httpServer = http.createServer((req, res) => {
      const source = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
      const instanceId = this.instanceAt(network, source);
      if (instanceId === undefined || metadata === undefined) { res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found'); return; }
      metadata(instanceId, req.method ?? 'GET', (req.url ?? '/').split('?')[0]!, req.headers)
        .then((a) => { res.writeHead(a.status, { 'content-type': a.contentType }).end(a.body); })
        .catch((err: unknown) => { this.opts.log.error({ err: String(err) }, 'metadata failed'); res.writeHead(500).end('Internal Error'); });
    });
    metaServer!.on('connection', (sock: net.Socket) => { httpServer.emit('connection', sock); sock.resume(); });
    apiServer!.on('connection', (sock: net.Socket) => { forward(sock, this.opts.api); });
    apiTlsServer?.on('connection', (sock: net.Socket) => { forward(sock, apiTls); });
    applied.servers.push(metaServer!, apiServer!, ...(apiTlsServer !== undefined ? [apiTlsServer] : []));
  }

  /**
   * Each Linux instance's sandbox runs its current boot: a start or reboot (a new bootSeq) boots
   * it again, with the key in force and the host name of that moment; one that ended boots again.
   * `applied` holds a record for every instance of `instances`. Returns what it changed.
   */
  async bootSandboxes(instances: readonly DesiredInstance[], applied: ReadonlyMap<string, AppliedInstance>): Promise<string[]> {
    const changes: string[] = [];
    const boots: Array<Promise<void>> = [];
    for (const inst of instances) {
      const record = applied.get(inst.instanceId)!;
      if (inst.osType !== 'linux') continue;
      if (record.sshd?.running === true && record.bootSeq === inst.bootSeq) continue;
      if (record.sshd !== undefined) changes.push(`${record.bootSeq === inst.bootSeq ? 'boot again' : 'reboot'} ${inst.instanceId}`);
      boots.push(this.boot(inst, record));
    }
    await Promise.all(boots);
    return changes;
  }

  /** Removes the disks (writable layers) of instances that `keep` refuses; returns what it removed. */
  removeDisksExcept(keep: (instanceId: string) => boolean): string[] {
    const changes: string[] = [];
    for (const iid of instancesWithStateExcept(this.opts.stateDir, keep)) {
      removeInstanceState(this.opts.stateDir, iid);
      changes.push(`disk - ${iid}`);
    }
    return changes;
  }

  /** Ends the instance's sandbox if it runs, and boots it again. A failure is this instance's: the next round retries. */
  private async boot(inst: DesiredInstance, applied: AppliedInstance): Promise<void> {
    await applied.sshd?.stop();
    const tap = this.opts.sshdOutput;
    applied.sshd ??= new Sshd(this.opts.stateDir, inst.instanceId, this.opts.log, tap === undefined ? undefined : (chunk) => { tap(inst.instanceId, chunk); });
    applied.bootSeq = inst.bootSeq;
    try {
      this.image ??= ensureImage(this.opts.stateDir, this.opts.hosts);
      const image = await this.image.catch((err: unknown) => { this.image = undefined; throw err; });
      await applied.sshd.start({ image, hostName: inst.hostName, publicKey: inst.effectivePublicKey, passwordHash: inst.effectivePasswordHash });
    } catch (err) {
      this.opts.log.error({ instanceId: inst.instanceId, err: err instanceof Error ? err.stack : String(err) }, 'the sandbox (sshd) of an instance did not start');
    }
  }
}

/** Pipes a connection accepted inside a namespace to `to` (the API server), bytes as they are. */
function forward(sock: net.Socket, to: { host: string; port: number } | undefined): void {
  if (to === undefined) { sock.destroy(); return; }
  const upstream = net.connect(to.port, to.host);
  sock.pipe(upstream).pipe(sock);
  const end = () => { sock.destroy(); upstream.destroy(); };
  sock.on('error', end); upstream.on('error', end);
  sock.resume();
}
