import type { INestApplication } from '@nestjs/common';
import express from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Serves the built console from the API's origin so the browser talks to one address and no
 * CORS opening is needed. Unknown non-API paths fall back to index.html (client-side routes).
 */
export function serveConsole(app: INestApplication, consoleDir: string | undefined): string | null {
  const dir = resolve(consoleDir ?? join(__dirname, '..', '..', '..', 'console', 'dist'));
  if (!existsSync(join(dir, 'index.html'))) return null;
  const http = app.getHttpAdapter().getInstance() as express.Express;
  http.use(express.static(dir, { index: 'index.html', maxAge: '1h' }));
  http.get(/^\/(?!api\/|health|metrics).*/, (_req, res) => res.sendFile(join(dir, 'index.html')));
  return dir;
}
