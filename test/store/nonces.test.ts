// The nonce ledger of each engine: a nonce is claimed once (also twice in one batch, and across a
// reopen of the same data), kept until its request can no longer be fresh, then pruned; a damaged
// SQLite nonce file is started afresh, with the store's file mode.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probedEngines } from '../helpers/stores.ts';
import type { Store } from '../../src/store/store.ts';
import Database from 'better-sqlite3';
import { SqliteNonceLedger } from '../../src/store/nonces.ts';

const T = Date.UTC(2026, 10, 30, 12, 0, 0);
const WINDOW = 15 * 60_000;

// every engine probed before any suite is declared (test/helpers/stores.ts says why)
const probed = await probedEngines();
for (const { engine, skip } of probed) {
  describe(`nonce ledger: ${engine.name}`, () => {
    if (skip !== undefined) { test(`skipped: ${skip}`, { skip }); return; }
    let store: Store;
    let reopen: () => Promise<Store>;
    let cleanup: () => Promise<void>;
    before(async () => { ({ store, reopen, cleanup } = await engine.open()); });
    after(async () => { await store.close(); await cleanup(); });

    test('once per nonce: in one batch, in later batches, after a reopen', async () => {
      const claims = await Promise.all(['a', 'b', 'a', 'c', 'b'].map((k) => store.nonces.claim(k.padEnd(32, '0'), T + WINDOW, T)));
      assert.deepEqual(claims, [true, true, false, true, false]);
      assert.equal(await store.nonces.claim('a'.padEnd(32, '0'), T + WINDOW, T + 1000), false);
      await store.close();
      store = await reopen();
      assert.equal(await store.nonces.claim('c'.padEnd(32, '0'), T + WINDOW, T + 2000), false, 'a restart forgets nothing');
      assert.equal(await store.nonces.claim('d'.padEnd(32, '0'), T + WINDOW, T + 2000), true);
    });

    test('many at once: each answered, replays all refused', async () => {
      const keys = Array.from({ length: 3000 }, (_, i) => `k${i}`.padEnd(32, 'x'));
      assert.ok((await Promise.all(keys.map((k) => store.nonces.claim(k, T + WINDOW, T)))).every((x) => x));
      assert.ok((await Promise.all(keys.map((k) => store.nonces.claim(k, T + WINDOW, T)))).every((x) => !x));
    });
  });
}

test('SQLite: expired nonces are pruned; a damaged nonce file starts afresh with mode 0600', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parapet-nonces-'));
  const file = join(dir, 'nonces.sqlite');
  writeFileSync(file, '', { mode: 0o600 });
  try {
    const ledger = new SqliteNonceLedger(file);
    const turn = () => new Promise((r) => setImmediate(r));
    assert.equal(await ledger.claim('old'.padEnd(32, '0'), T, T - WINDOW), true);
    await turn();
    await turn();
    // a claim 30 s later prunes what expired meanwhile (in the next turns of the loop)
    assert.equal(await ledger.claim('new'.padEnd(32, '0'), T + 60_000 + WINDOW, T + 60_000), true);
    await new Promise((r) => setTimeout(r, 50));
    await ledger.close();
    const peek = new Database(file, { readonly: true });
    assert.deepEqual(peek.prepare('select key from nonces order by expires_at').all().map((r) => (r as { key: string }).key.slice(0, 3)), ['new'], 'the expired nonce was pruned');
    peek.close();
    writeFileSync(file, 'this is not a database '.repeat(400));
    const again = new SqliteNonceLedger(file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(await again.claim('new'.padEnd(32, '0'), T + 60_000 + WINDOW, T + 60_000), true, 'the damaged file was started afresh');
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
