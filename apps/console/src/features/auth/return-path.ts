/**
 * Where to go after logging in: only a path of this console (or its API docs), never another
 * site — `next` comes from the URL, which anyone can craft.
 */
export function safeReturnPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) return '/';
  try {
    const url = new URL(next, 'http://console.invalid');
    return url.origin === 'http://console.invalid' ? `${url.pathname}${url.search}${url.hash}` : '/';
  } catch {
    return '/';
  }
}

/** The API docs are served by the API, not by the console's router: they need a full page load. */
export function isServerPage(path: string): boolean {
  return path.startsWith('/api/');
}

export function loginPath(current: { pathname: string; search: string }): string {
  const here = `${current.pathname}${current.search}`;
  return here === '/' || here.startsWith('/login') ? '/login' : `/login?next=${encodeURIComponent(here)}`;
}
