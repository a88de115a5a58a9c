import type { Role } from '@walbridge/contracts';

/** Who made the request: set by the global guard on every authenticated request. */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
  authenticatedBy: 'session' | 'token';
  /** Session token hash or API token id: what logout ends. */
  credentialId: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}
