import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const api = 'http://127.0.0.1:3000';

// Built into dist/portal-web, which portal-api serves on the same origin (app.setup.ts, WEB_DIST_DIR).
export default defineConfig({
  root: here('.'),
  plugins: [react()],
  resolve: {
    alias: {
      '@portal/contracts': here('../../libs/contracts/src/index.ts'),
      '@portal/sla': here('../../libs/sla/src/index.ts'),
    },
  },
  build: {
    outDir: here('../../dist/portal-web'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1000,
    rollupOptions: {
      output: {
        // Libraries change less often than the app: separate files stay cached across releases.
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined;
          if (/[\\/]node_modules[\\/](react|react-dom|react-router|react-router-dom|scheduler)[\\/]/.test(id)) return 'react';
          if (/[\\/]node_modules[\\/]@mantine[\\/]/.test(id)) return 'mantine';
          return 'vendor';
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
