import { createServer, type Server } from 'node:http';
import type { DataSource } from 'typeorm';

/** The scheduler's only HTTP surface: a liveness probe for process managers. */
export function startHealthServer(port: number, host: string, dataSource: DataSource): Server {
  const server = createServer((req, res) => {
    if (req.url !== '/health') {
      res.writeHead(404).end();
      return;
    }
    dataSource
      .query('SELECT 1')
      .then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'))
      .catch(() => res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"database down"}'));
  });
  return server.listen(port, host);
}
