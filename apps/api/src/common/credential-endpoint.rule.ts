import { DomainError, changedEndpointFields, type CredentialEndpointKind } from '@walbridge/domain';

export interface CredentialEdit {
  kind: CredentialEndpointKind;
  /** The password field as the request names it, e.g. `source.password`. */
  field: string;
  before: unknown;
  after: unknown;
  /** A credential is stored for the old endpoint. */
  stored: boolean;
  /** The request carries the credential (or removes it). */
  given: boolean;
}

/**
 * A stored secret is never sent to an endpoint other than the one it was given for: an edit that
 * moves the endpoint (host, port, login, TLS...) must carry the password again. Otherwise an
 * operator who never saw the password could point the task at a server of their own and read it.
 */
export function assertCredentialsFollowEndpoint(edits: CredentialEdit[]): void {
  const details = edits.flatMap((e) => {
    if (!e.stored || e.given) return [];
    const changed = changedEndpointFields(e.kind, e.before as Record<string, unknown>, e.after as Record<string, unknown>);
    if (!changed.length) return [];
    const prefix = e.field.slice(0, e.field.lastIndexOf('.') + 1);
    return [{ field: e.field, message: `give the password again: ${changed.map((f) => prefix + f).join(', ')} changed, and the stored one is only sent to the server it was given for` }];
  });
  if (details.length) throw new DomainError('invalid', 'CREDENTIAL_REQUIRED', 'the password must be given again for the new endpoint', details);
}
