import { InitialSchema1732170000000 } from './1732170000000-initial-schema';
import { TaskLifecycle1732500000000 } from './1732500000000-task-lifecycle';

/** In order of application; `npm run migrate` runs what the database has not seen yet. */
export const MIGRATIONS = [InitialSchema1732170000000, TaskLifecycle1732500000000];
