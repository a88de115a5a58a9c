import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, Navigate, Outlet, useLocation, useMatch, useNavigate } from 'react-router-dom';
import { hasRole, type MeView, type Role } from '@walbridge/contracts';
import { ApiError } from '../api/api-client';
import { logout } from '../api/auth.api';
import { loginPath } from '../features/auth/return-path';
import { useMe } from '../features/auth/use-me.query';
import { useUnreadCount } from '../features/notifications/use-unread-count';
import { ErrorPanel, LoadingPanel } from '../ui/status-panel';
import { setTimeZoneChoice, useTimeZoneChoice } from '../ui/time-zone';

// A new section adds one entry here, with the role it needs.
const NAV_ITEMS: { to: string; label: string; matchRoot?: boolean; role: Role; badge?: 'unread' }[] = [
  { to: '/tasks', label: 'Tasks', matchRoot: true, role: 'viewer' },
  { to: '/connections', label: 'Connections', role: 'viewer' },
  { to: '/notifications', label: 'Notifications', role: 'viewer', badge: 'unread' },
  { to: '/users', label: 'Users', role: 'admin' },
  { to: '/tokens', label: 'API tokens', role: 'admin' },
  { to: '/audit', label: 'Audit log', role: 'admin' },
  { to: '/schedulers', label: 'Schedulers', role: 'viewer' },
];

export function AppShell() {
  const me = useMe();
  const location = useLocation();
  const timeZone = useTimeZoneChoice();

  if (me.error instanceof ApiError && me.error.statusCode === 401) return <Navigate to={loginPath(location)} replace />;
  if (me.isPending) return <LoadingPanel>Loading…</LoadingPanel>;
  if (!me.data) return <ErrorPanel title="Could not reach Walbridge" error={me.error} />;

  return (
    <div className="app-shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header__inner">
          <Link to="/" className="brand">
            <span className="brand__mark" aria-hidden="true">
              W
            </span>
            Walbridge
          </Link>
          <nav aria-label="Main">
            <ul className="main-nav">
              {NAV_ITEMS.filter((item) => hasRole(me.data.role, item.role)).map((item) => (
                <li key={item.to}>
                  <MainNavLink {...item} />
                </li>
              ))}
            </ul>
          </nav>
          <UserMenu me={me.data} />
        </div>
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        {/* Keyed by the clock: every time on the page is drawn again in the chosen zone. */}
        <Outlet key={timeZone} />
      </main>
    </div>
  );
}

function UserMenu({ me }: { me: MeView }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const mutation = useMutation({
    mutationFn: logout,
    // Whatever the answer, this browser forgets the session and what it showed.
    onSettled: () => {
      queryClient.clear();
      navigate('/login', { replace: true });
    },
  });
  return (
    <div className="user-menu">
      <TimeZoneToggle />
      <span>
        {me.username} <span className="muted">({me.role})</span>
      </span>
      <button type="button" className="button" disabled={mutation.isPending} onClick={() => mutation.mutate()}>
        Log out
      </button>
    </div>
  );
}

/** The task list also lives at `/`, where the Tasks entry should still read as current. */
function MainNavLink({ to, label, matchRoot, badge }: { to: string; label: string; matchRoot?: boolean; badge?: 'unread' }) {
  const inSection = useMatch({ path: to, end: false }) !== null;
  const atRoot = useMatch('/') !== null;
  const current = inSection || (matchRoot === true && atRoot);
  return (
    <Link
      to={to}
      aria-current={current ? 'page' : undefined}
      className={current ? 'main-nav__link main-nav__link--active' : 'main-nav__link'}
    >
      {label}
      {badge === 'unread' && <UnreadBadge />}
    </Link>
  );
}

function UnreadBadge() {
  const count = useUnreadCount();
  if (!count) return null;
  return (
    <span className="nav-badge">
      {count > 99 ? '99+' : count}
      <span className="visually-hidden"> unread</span>
    </span>
  );
}

/** Local or UTC times everywhere, remembered in this browser. */
function TimeZoneToggle() {
  const choice = useTimeZoneChoice();
  return (
    <div className="time-zone-toggle" role="group" aria-label="Show times in">
      {(['local', 'UTC'] as const).map((zone) => (
        <button key={zone} type="button" className="button button--small" aria-pressed={choice === zone} onClick={() => setTimeZoneChoice(zone)}>
          {zone === 'local' ? 'Local' : 'UTC'}
        </button>
      ))}
    </div>
  );
}
