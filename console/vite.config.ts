// Vite build of the console (`npm run console:build` runs `vite build console`, so this folder is
// the root): served by `parapet serve` under /console/, output in console/dist/. Each page is its
// own chunk (React.lazy in src/routes.tsx); the big libraries get chunks of their own so a page's
// change does not invalidate them in the browser cache. antd is left to Rollup's own splitting: the
// components only some pages use (tables, modals, editors) then load with those pages, not up front.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: '/console/',
  plugins: [react()],
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
