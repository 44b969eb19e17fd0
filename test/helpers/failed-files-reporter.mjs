// A node:test reporter that test/run.ts adds beside the TAP (or spec) one: it appends each file
// that has a failed test, once, to the file $PARAPET_FAILED_FILES names (one per line), so the
// runner knows which browser test files to run again. It writes synchronously as each failure
// comes, since --test-force-exit ends the process without waiting for reporters to finish.
import { appendFileSync } from 'node:fs';

export default async function* failedFiles(source) {
  const out = process.env.PARAPET_FAILED_FILES;
  const seen = new Set();
  for await (const event of source) {
    if (event.type !== 'test:fail' || typeof event.data.file !== 'string' || seen.has(event.data.file)) continue;
    seen.add(event.data.file);
    if (out) appendFileSync(out, event.data.file + '\n');
  }
  yield '';
}
