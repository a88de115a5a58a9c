import type { SavedConnectionView } from '@walbridge/contracts';

/** Where a saved connection points, in one line: `db:5432/shop as cdc` or the broker list. */
export function connectionEndpointText(c: Pick<SavedConnectionView, 'type' | 'connection'>): string {
  const s = c.connection as Record<string, unknown>;
  if (c.type === 'source') return `${String(s.host)}:${String(s.port)}/${String(s.database)} as ${String(s.username)}`;
  const login = s.username ? ` as ${String(s.username)}` : '';
  return `${String(s.brokers)} (${String(s.securityProtocol ?? 'PLAINTEXT')}${login})`;
}
