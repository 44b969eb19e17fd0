#!/usr/bin/env -S node --import tsx
// The `parapet` command from the sources (bin/parapet.mjs runs it when the bundled command is
// missing or older than them). `parapet <product> <Operation> …` and `parapet configure` load the
// API client alone (src/cli/rpc.ts: no server code); every other verb is in commands.ts.
import { isCliCommand, main } from '../src/cli/rpc.ts';

if (isCliCommand(process.argv[2])) {
  process.exitCode = await main(process.argv.slice(2));
} else {
  await import('./commands.ts');
}
