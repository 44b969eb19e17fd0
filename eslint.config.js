// @ts-check
// ESLint for Parapet (run by `npm run lint` and by .ci/run after `tsc --noEmit`): typescript-eslint's
// type-aware recommended set plus the promise and exhaustiveness rules we rely on, and the import
// direction of the layers (the architecture's "Layers (imports point down only)" table) as
// per-folder `no-restricted-imports` blocks generated from the LAYERS table below. They read
// static `import`/`export … from` only: a dynamic `import()` is not checked (src/ has none).
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * What each folder of src/ may import from the rest of src/, besides itself.
 * - `values`: folders (`name/`) and files (`name.ts`) of src/ that may be imported in any way;
 * - `types`: ones that may be imported with `import type` / `export type` only;
 * - `packages`: when set, the only npm packages allowed; unset means any;
 * - `node`: when set, the only `node:` modules allowed; unset means any.
 * Everything else in src/, and anything outside src/ (test/, bench/, bin/), is refused.
 * `clock.ts` and `ids.ts` are the injected time and randomness (STYLE.md rule 9); they import
 * `node:*` only, so every layer with side effects may use them.
 * `error-catalog.ts` is every error code Parapet answers, with its status and messages; it imports
 * nothing, so both layers that raise errors, wire and domain, build theirs from it (the wire layer
 * may not import domain/, and the codes are one list).
 * @type {Record<string, { values: string[], types?: string[], packages?: string[], node?: string[] }>}
 */
// `lru-cache` is the one bounded cache of every layer (docs/DEPENDENCIES.md); the layers that list
// their packages name it, the others allow any package already.
const LAYERS = {
  // the wire protocol: decode, signatures, render, the error mapper; lru-cache for the decoded
  // queries and parsed timestamps
  wire: { values: ['error-catalog.ts'], packages: ['lru-cache'] },
  // pure algorithms: no I/O, so no package beyond hashing, IP parsing and lru-cache (the policy
  // engine's per-action memo)
  engine: { values: [], packages: ['ipaddr.js', 'lru-cache'], node: ['crypto'] },
  // persistence: node, the database drivers, and lru-cache (memoized reads, prepared statements)
  store: { values: [], packages: ['kysely', 'pg', 'better-sqlite3', 'lru-cache'] },
  // the rules of the model, inside store transactions
  domain: { values: ['engine/', 'store/', 'clock.ts', 'ids.ts', 'error-catalog.ts'] },
  // The catalog. Type-only from store and engine: the credentials cache reads the `Store`'s
  // generation, and the explain API shapes engine rules (`FwRule`) into wire responses;
  // re-exporting those types from domain would only hide where they come from. Queries stay in
  // domain, and domain answers views (handlers never read a row).
  api: { values: ['wire/', 'domain/', 'clock.ts', 'ids.ts'], types: ['store/', 'engine/'] },
  // the metadata service: domain calls; instance rows (store types) it reads fields of
  metadata: { values: ['domain/', 'clock.ts', 'ids.ts'], types: ['store/'] },
  // The agent: engine (nft compiler) and store (read). It consumes the desired state whose shape
  // domain/dataplane-state.ts defines (src/dataplane-wiring.ts reads it and hands it over), and the
  // Anti-DDoS and Security Center shapes it shares with the domain (domain/antiddos/model.ts,
  // domain/security-center/watch-model.ts): types only.
  dataplane: { values: ['engine/', 'store/', 'clock.ts', 'ids.ts'], types: ['domain/dataplane-state.ts', 'domain/antiddos/model.ts', 'domain/security-center/watch-model.ts'] },
  // the `parapet` command: an API client over the wire signer
  cli: { values: ['wire/', 'clock.ts', 'ids.ts'] },
};
// src/clock.ts, src/ids.ts, src/logdest.ts and src/error-catalog.ts are leaves (node:* only);
// src/config.ts, src/server.ts, src/dataplane-wiring.ts, src/tls.ts (the local CA and the TLS
// listener's certificate) and src/notifier.ts (Security Center's notification sender loop) wire the
// layers together like bin/ and may import anything in src/.
const LEAVES = ['src/clock.ts', 'src/ids.ts', 'src/logdest.ts', 'src/error-catalog.ts'];
const MAX_DEPTH = 4; // src/<layer>/a/b/c.ts

const escape = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** `store/` matches the folder, `clock.ts` exactly that file */
const entry = (/** @type {string} */ s) => (s.endsWith('/') ? escape(s) : escape(s) + '$');

/** One block per layer and folder depth: relative specifiers are matched against the path up to src/. */
function layerBlocks() {
  const blocks = [];
  for (const [layer, rule] of Object.entries(LAYERS)) {
    const types = rule.types ?? [];
    const allowed = [layer + '/', ...rule.values, ...types].map(entry).join('|');
    for (let depth = 1; depth <= MAX_DEPTH; depth++) {
      const up = escape('../'.repeat(depth));
      /** @type {any[]} */
      const patterns = [{
        regex: `^${up}(?!(${allowed}))`,
        message: `src/${layer}/ may import ${[...rule.values, ...types.map((t) => t + ' (types)')].join(', ') || 'nothing'} from the rest of src/ (eslint.config.js LAYERS).`,
      }];
      if (types.length > 0) {
        patterns.push({
          regex: `^${up}(${types.map(entry).join('|')})`,
          allowTypeImports: true,
          message: `src/${layer}/ may import ${types.join(', ')} with \`import type\` only (eslint.config.js LAYERS).`,
        });
      }
      if (rule.packages !== undefined) {
        patterns.push({
          regex: `^(?!${['\\.', 'node:', ...rule.packages.map((p) => escape(p) + '(/|$)')].join('|')})`,
          message: `src/${layer}/ may import only node:*${rule.packages.map((p) => ', ' + p).join('')} among packages (eslint.config.js LAYERS).`,
        });
      }
      if (rule.node !== undefined) {
        patterns.push({
          regex: `^node:(?!(${rule.node.map(escape).join('|')})$)`,
          message: `src/${layer}/ may import only ${rule.node.map((m) => 'node:' + m).join(', ')} among node modules (eslint.config.js LAYERS).`,
        });
      }
      blocks.push({
        files: [`src/${layer}/${'*/'.repeat(depth - 1)}*.{ts,mts}`],
        rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
      });
    }
  }
  blocks.push({
    files: LEAVES,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '^(?!node:)', message: 'clock, ids, logdest and error-catalog are leaves: node:* only.' }] }],
    },
  });
  return blocks;
}

export default defineConfig(
  { ignores: ['node_modules/', 'data/', 'dist/', 'console/dist/', '.bench/', 'scratch/', 'console-tour/'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    files: ['src/**/*.{ts,mts}', 'bin/**/*.{ts,mts}', 'bench/**/*.{ts,mts}', 'test/**/*.{ts,mts}'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        // node:test queues test() and describe() itself; their promises are for callers that want them
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }],
      }],
      '@typescript-eslint/no-misused-promises': 'error',
      // a `default:` is a deliberate catch-all (e.g. toPlain's scalar kinds, a parser's other characters)
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      // Left out of the recommended set: an `async` function without `await` is how a handler, a
      // Store hook or a test helper meets a Promise-returning interface, and it turns a synchronous
      // throw into a rejection (which the pipeline relies on); dropping `async` would change that.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The web console (console/): browser code with its own tsconfig (console/tsconfig.json, which
    // the project service finds), so the Node layers' import rules do not apply; the same
    // type-aware promise rules do. React's own lint plugins are not used (no new lint packages).
    files: ['console/**/*.{ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      globals: globals.browser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // plain JavaScript: this file and the netns prober (test/helpers/netns-prober.mjs), which runs
    // under `node` without tsx; not in tsconfig, so no type-aware rules
    files: ['**/*.{js,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: {
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', performance: 'readonly' },
    },
  },
  {
    // STYLE.md rule 9: time and randomness come from the injected clock and ids
    files: ['src/**/*.ts'],
    ignores: ['src/clock.ts', 'src/ids.ts'],
    rules: {
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Take the time from the injected Clock (src/clock.ts).' },
        { object: 'Math', property: 'random', message: 'Take randomness from the injected Ids (src/ids.ts).' }],
    },
  },
  ...layerBlocks(),
);
