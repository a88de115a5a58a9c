export const REDACTED = '[redacted]';

/**
 * Removes every occurrence of the given secrets from a text that may reach a user, a log or an
 * event. Drivers do not normally echo credentials, but a server message, a DSN in an error or a
 * library's debug text could: this is the last line of defence.
 */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let out = text;
  // Longest first, so a secret that contains another is removed whole.
  const list = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 3))].sort((a, b) => b.length - a.length);
  for (const secret of list) out = out.split(secret).join(REDACTED);
  return out;
}

/**
 * A URL with its path, query and fragment replaced by REDACTED: Slack-, Teams- or Discord-style
 * webhook URLs carry their credential there (`https://hooks.slack.com/services/T…/B…/x…`), so
 * only the scheme, host and port are shown to someone who must not be able to post to it.
 */
export function redactUrlPath(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)(.*)$/is.exec(url);
  if (!match) return REDACTED;
  return match[2] && match[2] !== '/' ? `${match[1]}/${REDACTED}` : url;
}
