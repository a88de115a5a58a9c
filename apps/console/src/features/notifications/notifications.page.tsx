import { useEffect } from 'react';
import { hasRole } from '@walbridge/contracts';
import { useMe } from '../auth/use-me.query';
import { useApiRoutes } from '../capabilities/use-api-routes';
import { Channels } from './notification-channels';
import { Inbox } from './notification-inbox';

export function NotificationsPage() {
  const routes = useApiRoutes();
  const me = useMe();
  useEffect(() => {
    document.title = 'Notifications · Walbridge';
  }, []);

  return (
    <section className="page" aria-labelledby="notifications-title">
      <header className="page__header">
        <div>
          <h1 id="notifications-title">Notifications</h1>
          <p className="muted">Delay alarms, abnormal tasks, data exceptions and automatic stops, with what to do about them.</p>
        </div>
      </header>
      <section className="card" aria-labelledby="inbox-title">
        <h2 id="inbox-title" className="card__title">
          Inbox
        </h2>
        <Inbox available={routes.has('GET', '/notifications')} />
      </section>
      <section className="card" aria-labelledby="channels-title">
        <h2 id="channels-title" className="card__title">
          Channels
        </h2>
        <p className="muted">Where notifications are sent besides this inbox: a webhook (JSON POST signed with HMAC-SHA256) or e-mail.</p>
        <Channels available={routes.has('GET', '/notification-channels')} canEdit={!!me.data && hasRole(me.data.role, 'operator')} />
      </section>
    </section>
  );
}
