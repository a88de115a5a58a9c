/** Probes a scheduler runs for the API: connection tests, source objects, the message browser. */
export const CONNECTIONS_ERROR_CODES = ['PROBE_FAILED', 'PROBE_TIMEOUT', 'SOURCE_UNAVAILABLE', 'DESTINATION_UNAVAILABLE'] as const;
