/**
 * Probes a scheduler runs for the API (connection tests, source objects, the message browser),
 * and the saved connections tasks reference (`/connections`).
 */
export const CONNECTIONS_ERROR_CODES = [
  'PROBE_FAILED',
  'PROBE_TIMEOUT',
  'SOURCE_UNAVAILABLE',
  'DESTINATION_UNAVAILABLE',
  'CONNECTION_NOT_FOUND',
  'CONNECTION_IN_USE',
] as const;
