/** Ordered from least to most privileged: each role may do everything the roles before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;

export type Role = (typeof ROLES)[number];
