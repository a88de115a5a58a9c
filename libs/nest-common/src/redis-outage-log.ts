import type { Logger } from '@nestjs/common';

interface RedisEvents {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
}

/**
 * One warning when a Redis client loses its server and one line when it is back (e.g. a Sentinel
 * failover): ioredis emits an error per reconnect attempt, and prints the stack of every error
 * nobody listens to. The messages name addresses, never a password.
 */
export function logRedisOutages(client: RedisEvents, logger: Pick<Logger, 'warn' | 'log'>, what: string): void {
  let down = false;
  client.on('error', (error) => {
    if (down) return;
    down = true;
    logger.warn(`${what}: Redis does not answer (${error.message}); reconnecting`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.log(`${what}: Redis answers again`);
  });
}
