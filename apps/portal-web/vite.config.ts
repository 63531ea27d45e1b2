import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { compression, defineAlgorithm } from 'vite-plugin-compression2';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const api = 'http://127.0.0.1:3000';

// Built into dist/portal-web, which portal-api serves on the same origin (app.setup.ts, WEB_DIST_DIR).
export default defineConfig({
  root: here('.'),
  plugins: [
    react(),
    // Precompressed copies beside each asset (.br, .gz); the API serves them as they are (app.setup.ts), so a phone
    // on a bad network gets ~4x fewer bytes and the server compresses nothing at request time. Source maps are
    // only fetched by developer tools: left alone.
    compression({
      algorithms: [defineAlgorithm('brotliCompress'), defineAlgorithm('gzip', { level: 9 })],
      exclude: [/\.map$/, /\.(png|jpe?g|webp|woff2?)$/],
      threshold: 1024,
    }),
  ],
  resolve: {
    // Exact names: `@portal/contracts/constants` (the plain lists, no zod) is for the first screen (issue 18).
    alias: [
      { find: /^@portal\/contracts\/constants$/, replacement: here('../../libs/contracts/src/constants.ts') },
      { find: /^@portal\/contracts$/, replacement: here('../../libs/contracts/src/index.ts') },
      { find: /^@portal\/sla$/, replacement: here('../../libs/sla/src/index.ts') },
    ],
  },
  build: {
    outDir: here('../../dist/portal-web'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1000,
    rollupOptions: {
      output: {
        // React changes less often than the app: its own file stays cached across releases. Everything else is
        // left to Rollup, so a library only a lazy page uses (React.lazy in App.tsx) is not in the first load.
        manualChunks(id) {
          if (/[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/.test(id)) return 'react';
          return undefined;
        },
      },
    },
  },
  server: {
    port: 5173,
    fs: { allow: [here('../..')] },
    proxy: {
      '/api': api,
      '/auth': api,
      '/health': api,
      '/sso': api,
    },
  },
});
