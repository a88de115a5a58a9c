import { Link, Outlet, useMatch } from 'react-router-dom';

// New sections (task wizard, notifications, users) add one entry here.
const NAV_ITEMS = [{ to: '/tasks', label: 'Tasks', matchRoot: true }];

export function AppShell() {
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
              {NAV_ITEMS.map((item) => (
                <li key={item.to}>
                  <MainNavLink {...item} />
                </li>
              ))}
            </ul>
          </nav>
        </div>
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

/** The task list also lives at `/`, where the Tasks entry should still read as current. */
function MainNavLink({ to, label, matchRoot }: { to: string; label: string; matchRoot?: boolean }) {
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
    </Link>
  );
}
