import { canonicalJson } from './canonical-json';

/**
 * Where a stored credential may be sent. A password is given for one server and one login on
 * it; if any of these fields changes, the credential must be given again (the API answers 400
 * naming the password field otherwise), and the sealed credential is bound to the values
 * (AES-GCM additional data) so that a record re-pointed behind the API's back cannot be opened.
 */
export const CREDENTIAL_ENDPOINT_FIELDS = {
  source: ['host', 'port', 'database', 'username', 'sslMode'],
  destination: ['brokers', 'securityProtocol', 'saslMechanism', 'username'],
  smtp: ['host', 'port', 'security', 'username'],
  schemaRegistry: ['url', 'username'],
} as const;

export type CredentialEndpointKind = keyof typeof CREDENTIAL_ENDPOINT_FIELDS;

type Loose = Record<string, unknown> | null | undefined;

function normalized(kind: CredentialEndpointKind, field: string, value: unknown): unknown {
  if (value === undefined || value === null || value === '') return null;
  if (field === 'host') return String(value).toLowerCase();
  // The order of a broker list does not change which servers get the password.
  if (kind === 'destination' && field === 'brokers') {
    const list = Array.isArray(value) ? value : String(value).split(',');
    return list.map((b) => String(b).trim().toLowerCase()).filter(Boolean).sort();
  }
  return value;
}

/** The endpoint as a canonical string (the additional data of the sealed credential). */
export function credentialEndpoint(kind: CredentialEndpointKind, config: Loose): string {
  return canonicalJson(Object.fromEntries(CREDENTIAL_ENDPOINT_FIELDS[kind].map((f) => [f, normalized(kind, f, config?.[f])])));
}

/** The endpoint fields that differ between two configurations (in the order of the list). */
export function changedEndpointFields(kind: CredentialEndpointKind, before: Loose, after: Loose): string[] {
  return CREDENTIAL_ENDPOINT_FIELDS[kind].filter(
    (f) => canonicalJson(normalized(kind, f, before?.[f])) !== canonicalJson(normalized(kind, f, after?.[f])),
  );
}
