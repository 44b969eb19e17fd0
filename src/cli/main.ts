// The entry of the bundled command (dist/parapet-cli.mjs, `npm run cli:build`): what bin/parapet.mjs
// loads for `parapet <product> …` and `parapet configure` without tsx or any server code.
export { main, isCliCommand } from './rpc.ts';
