import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const API_ORIGIN = 'http://127.0.0.1:8080';

// The API serves the built console from its own origin (apps/api/src/console/serve-console.ts);
// in development the same single-origin shape is kept by proxying, so no CORS setup is needed.
const apiProxy = {
  '/api': { target: API_ORIGIN, changeOrigin: true },
  '/health': { target: API_ORIGIN, changeOrigin: true },
};

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: {
      // Source, not dist: the built contracts lib is CommonJS, which the browser bundle should not consume.
      '@walbridge/contracts': fileURLToPath(new URL('../../libs/contracts/src/index.ts', import.meta.url)),
      '@walbridge/vocabulary': fileURLToPath(new URL('../../libs/vocabulary/src/index.ts', import.meta.url)),
    },
  },
  build: { outDir: 'dist', emptyOutDir: true },
  server: { port: 5173, strictPort: true, proxy: apiProxy },
  preview: { port: 4173, proxy: apiProxy },
});
