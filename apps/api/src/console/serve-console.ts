import type { INestApplication } from '@nestjs/common';
import compression from 'compression';
import express from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Vite names every built asset after its content hash: a changed file gets a new name. */
const HASHED_ASSET = /\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.\w+$/;

/**
 * Serves the built console from the API's origin so the browser talks to one address and no
 * CORS opening is needed. Unknown non-API paths fall back to index.html (client-side routes).
 * Compressed (gzip or brotli, as the browser accepts); hashed assets are cached for a year and
 * never revalidated, index.html is revalidated on every load so a new release is picked up.
 * Only these paths are compressed: the API's server-sent events must not be buffered.
 */
export function serveConsole(app: INestApplication, consoleDir: string | undefined): string | null {
  const dir = resolve(consoleDir ?? join(__dirname, '..', '..', '..', 'console', 'dist'));
  if (!existsSync(join(dir, 'index.html'))) return null;
  const http = app.getHttpAdapter().getInstance() as express.Express;
  const consolePath = /^\/(?!api\/|health|metrics)/;
  const compress = compression();
  http.use((req, res, next) => (consolePath.test(req.path) ? compress(req, res, next) : next()));
  http.use(
    express.static(dir, {
      index: 'index.html',
      setHeaders: (res, path) => {
        res.setHeader('Cache-Control', HASHED_ASSET.test(path.replace(/\\/g, '/')) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  http.get(/^\/(?!api\/|health|metrics).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(dir, 'index.html'));
  });
  return dir;
}
