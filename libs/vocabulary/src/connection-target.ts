/** The two ends of a task a connection test, a probe or a precheck item is about. */
export const CONNECTION_TARGETS = ['source', 'destination'] as const;

export type ConnectionTarget = (typeof CONNECTION_TARGETS)[number];
