// Builds the console into dist/console (index.html at the root, hashed files under assets/) for the gateway to serve.
// Everything is bundled: the gateway's CSP allows only 'self', so no CDN and no inline script.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: path.join(here, '../../dist/console'),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Inlined assets would become data: URLs, which a strict CSP refuses for scripts; keep every asset a file.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      // Mantine marks its modules "use client" for React Server Components; in a plain SPA bundle that is noise.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      output: {
        // Vendor code changes less often than pages: its own chunk stays cached across console releases.
        manualChunks: (id) => (id.includes('node_modules') ? (/chart\.js|react-chartjs-2/.test(id) ? 'charts' : 'vendor') : undefined),
      },
    },
  },
});
