// The console's bundle: served by the API at /console (api/console.ts), so every asset path starts with /console/.
import react from '@vitejs/plugin-react';
import path from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: path.resolve(__dirname),
  base: '/console/',
  plugins: [react()],
  build: { outDir: path.resolve(__dirname, 'dist'), emptyOutDir: true, sourcemap: false, target: 'es2022' },
});
