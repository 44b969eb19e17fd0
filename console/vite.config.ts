// Vite build of the console (`npm run console:build` runs `vite build console`, so this folder is
// the root): served by `parapet serve` under /console/, output in console/dist/. Each page is its
// own chunk (React.lazy in src/routes.tsx); the big libraries get chunks of their own so a page's
// change does not invalidate them in the browser cache. antd is left to Rollup's own splitting: the
// components only some pages use (tables, modals, editors) then load with those pages, not up front.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * `virtual:antd-styles.css`: antd's styles for the console's theme, rendered at build time by
 * scripts/antd-styles.tsx (see there), so browsers skip building them at run time.
 */
function antdStyles(): Plugin {
  const id = 'virtual:antd-styles.css';
  const script = fileURLToPath(new URL('./scripts/antd-styles.tsx', import.meta.url));
  return {
    name: 'parapet-antd-styles',
    resolveId: (source) => (source === id ? '\0' + id : undefined),
    load(resolved) {
      if (resolved !== '\0' + id) return undefined;
      return execFileSync(process.execPath, ['--import', 'tsx', script], {
        env: { ...process.env, NODE_ENV: 'production' }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'],
      });
    },
  };
}

export default defineConfig({
  base: '/console/',
  plugins: [react(), antdStyles()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // antd's chunk is over Vite's default 500 kB warning (minified, before gzip); the gzip goal
    // (issue 14: initial JS <= 500 KB gzip) is what bench/console measures
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined;
          if (/node_modules\/(react|react-dom|scheduler|react-router)\//.test(id)) return 'react';
          if (id.includes('@tanstack')) return 'query';
          return undefined;
        },
      },
    },
  },
});
