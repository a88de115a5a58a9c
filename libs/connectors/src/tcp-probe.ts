import { connect } from 'node:net';

export type TcpProblem = 'dns' | 'refused' | 'unreachable';

export type TcpProbeResult = { ok: true } | { ok: false; problem: TcpProblem; message: string };

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'ETIMEDOUT', 'EADDRNOTAVAIL']);

/**
 * Opens and closes a TCP connection, so that "nothing answers" (routing, firewall), "the host
 * answers but nothing listens" and "the name does not resolve" are told apart before any
 * protocol is spoken.
 */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<TcpProbeResult> {
  const where = `${host}:${port}`;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: TcpProbeResult) => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () =>
      done({ ok: false, problem: 'unreachable', message: `no answer from ${where} within ${timeoutMs / 1000} s (host down, or a firewall drops the packets)` }),
    );
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => done(tcpFailure(error, host, port)));
  });
}

export function tcpFailure(error: NodeJS.ErrnoException, host: string, port: number): TcpProbeResult & { ok: false } {
  const code = error.code ?? '';
  if (DNS_CODES.has(code)) return { ok: false, problem: 'dns', message: `host name ${host} cannot be resolved (${code})` };
  if (code === 'ECONNREFUSED') {
    return { ok: false, problem: 'refused', message: `${host}:${port} refused the connection: the host answers, but nothing listens on port ${port}` };
  }
  if (UNREACHABLE_CODES.has(code)) return { ok: false, problem: 'unreachable', message: `${host}:${port} is unreachable (${code})` };
  return { ok: false, problem: 'unreachable', message: `cannot connect to ${host}:${port}: ${error.message}` };
}
