import { InitialSchema1732170000000 } from './1732170000000-initial-schema';
import { Precheck1732300000000 } from './1732300000000-precheck';
import { TaskLifecycle1732500000000 } from './1732500000000-task-lifecycle';
import { MonitoringNotifications1732600000000 } from './1732600000000-monitoring-notifications';
import { UsersSessionsTokensAudit1732800000000 } from './1732800000000-users-sessions-tokens-audit';
import { SecurityHardening1733100000000 } from './1733100000000-security-hardening';
import { SlotCreatedLsn1733400000000 } from './1733400000000-slot-created-lsn';
import { TaskBackfill1733500000000 } from './1733500000000-task-backfill';
import { SavedConnections1733600000000 } from './1733600000000-saved-connections';
import { TaskTableCounter1733700000000 } from './1733700000000-task-table-counter';

/** In order of application; `npm run migrate` runs what the database has not seen yet. */
export const MIGRATIONS = [
  InitialSchema1732170000000,
  Precheck1732300000000,
  TaskLifecycle1732500000000,
  MonitoringNotifications1732600000000,
  UsersSessionsTokensAudit1732800000000,
  SecurityHardening1733100000000,
  SlotCreatedLsn1733400000000,
  TaskBackfill1733500000000,
  SavedConnections1733600000000,
  TaskTableCounter1733700000000,
];
