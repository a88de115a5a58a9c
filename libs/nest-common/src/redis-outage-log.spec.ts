import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { logRedisOutages } from './redis-outage-log';

describe('logRedisOutages', () => {
  it('logs one warning per outage, however many reconnect attempts fail, and one line when Redis is back', () => {
    const client = new EventEmitter();
    const lines: string[] = [];
    logRedisOutages(client, { warn: (m: string) => void lines.push(`warn ${m}`), log: (m: string) => void lines.push(`log ${m}`) }, 'task leases');
    client.emit('ready'); // the first connection: nothing to say
    for (let i = 0; i < 5; i++) client.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    client.emit('ready');
    client.emit('error', new Error('All sentinels are unreachable'));
    expect(lines).toEqual([
      'warn task leases: Redis does not answer (connect ECONNREFUSED 127.0.0.1:6379); reconnecting',
      'log task leases: Redis answers again',
      'warn task leases: Redis does not answer (All sentinels are unreachable); reconnecting',
    ]);
  });
});
