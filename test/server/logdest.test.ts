// The request log's destination loses nothing and keeps order: through a non-blocking pipe whose
// reader is slower than the writer (full pipe: EAGAIN, short writes), through a file, and at
// close; a destination whose reader is gone drops its lines without ending the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferedLogDestination } from '../../src/logdest.ts';

const line = (i: number) => `{"level":30,"n":${i},"pad":"${'x'.repeat(i % 300)}"}\n`;

test('through a non-blocking pipe with a slow reader: every line, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parapet-logdest-'));
  try {
    const out = join(dir, 'out');
    // the reader starts late, so the pipe (64 KiB) is full long before it reads
    const reader = spawn('sh', ['-c', `sleep 0.3; cat > ${out}`], { stdio: ['pipe', 'ignore', 'inherit'] });
    // the cast: a libuv pipe's handle carries its (non-blocking) descriptor
    const fd = (reader.stdin as unknown as { _handle: { fd: number } })._handle.fd;
    assert.ok(fd > 2, 'the pipe has a descriptor of its own');
    const dest = new BufferedLogDestination(fd);
    let expected = '';
    for (let i = 0; i < 20_000; i++) { dest.write(line(i)); expected += line(i); }
    dest.flush();
    assert.equal(dest.dropped, 0);
    const ended = new Promise((resolve) => reader.on('exit', resolve));
    reader.stdin.end();
    await ended;
    const got = readFileSync(out, 'utf8');
    assert.equal(got.length, expected.length, 'every byte arrived');
    assert.ok(got === expected, 'in the order written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('to a file: lines wait at most until the timer or the chunk fills, and close writes the rest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parapet-logdest-'));
  try {
    const path = join(dir, 'log');
    const dest = new BufferedLogDestination(path);
    dest.write(line(1));
    assert.equal(readFileSync(path, 'utf8'), '', 'a single line waits');
    await new Promise((f) => setTimeout(f, 250));
    assert.equal(readFileSync(path, 'utf8'), line(1), 'the timer wrote it');
    let expected = line(1);
    for (let i = 2; i < 1000; i++) { dest.write(line(i)); expected += line(i); }
    assert.ok(readFileSync(path, 'utf8').length > line(1).length, 'a full chunk is written at once');
    dest.write('last\n');
    dest.close();
    assert.equal(readFileSync(path, 'utf8'), expected + 'last\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pipe whose reader is gone: the lines are dropped and counted, nothing throws', async () => {
  const reader = spawn('true', [], { stdio: ['pipe', 'ignore', 'ignore'] });
  const fd = (reader.stdin as unknown as { _handle: { fd: number } })._handle.fd;
  await new Promise((resolve) => reader.on('exit', resolve));
  const dest = new BufferedLogDestination(fd);
  dest.write(line(1));
  dest.write(line(2));
  assert.doesNotThrow(() => dest.flush());
  assert.equal(dest.dropped, 2);
  reader.stdin.destroy();
});
