// RSA-2048 key generation ahead of demand: a small pool filled in the background (Node's
// generateKeyPair runs on libuv's worker threads), so CreateKeyPair answers in milliseconds.
// INVARIANT: a pooled private key lives only in this process's memory until it is handed out.
import { generateKeyPair } from 'node:crypto';

export interface GeneratedKey { privatePem: string; publicDer: Buffer }

function generate(): Promise<GeneratedKey> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048, publicExponent: 0x10001, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'der' } }, (err, publicKey, privateKey) => {
      if (err) reject(err); else resolve({ privatePem: privateKey, publicDer: publicKey });
    });
  });
}

export class KeyPool {
  private readonly ready: GeneratedKey[] = [];
  private filling = 0;
  constructor(private size = 4) {}

  /** How many keys to keep ready (PARAPET_KEYPAIR_POOL, read in config.ts); 0 turns the pool off. */
  resize(size: number): void {
    this.size = size;
    this.ready.splice(size);
  }

  /** Starts filling the pool; safe to call often. */
  fill(): void {
    while (this.ready.length + this.filling < this.size) {
      this.filling++;
      generate().then((k) => { this.ready.push(k); }, () => undefined).finally(() => { this.filling--; });
    }
  }

  /** A key from the pool when one is ready, else a fresh one; refills behind. */
  async take(): Promise<GeneratedKey> {
    const k = this.ready.shift();
    this.fill();
    return k ?? generate();
  }

  get available(): number { return this.ready.length; }
}

/** The server's pool; `startServer` sizes it and starts filling it (and every `take` refills it). */
export const keyPool = new KeyPool();
