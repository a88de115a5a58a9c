import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

const DRAIN_MS = 2_000;

const ANSWERS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'the request line or headers are too large (16 KB at most)'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request took too long to arrive'],
};

/**
 * Requests Node's HTTP parser rejects (a URL or headers over 16 KB, broken HTTP) never reach
 * Nest; Node would answer them with an empty body. They get the API's error shape too.
 */
export function answerMalformedRequests(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, message] = ANSWERS[error.code ?? ''] ?? [400, 'malformed HTTP request'];
    const body = JSON.stringify({ statusCode: status, error: STATUS_CODES[status], message, details: [{ field: '(request)', message }] });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    // The rest of an oversized request may still be on its way: read and drop it, so that closing
    // does not reset the connection (a reset can discard the answer before the client reads it).
    socket.resume();
    setTimeout(() => socket.destroy(), DRAIN_MS).unref();
  });
}
