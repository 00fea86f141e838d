import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by Patron itself under /console/ (src/platform/console/console-files.ts);
// its API calls go to the same origin, so no proxy or CORS is involved.
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // ECharts and the journey builder are loaded by the pages that draw them, not up front.
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
    sourcemap: false,
  },
  logLevel: 'warn',
});
