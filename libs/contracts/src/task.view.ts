import type { ErrorCode, TaskStatus } from '@walbridge/vocabulary';
import type { TaskConfig } from './task.schema';
import type { TaskSchedulerView } from './fleet.view';
import type { TaskLifecycleView } from './task-lifecycle.view';

type WithoutSecrets<T> = Omit<T, 'password' | 'clientKey'>;

/** What the API returns for a task: secrets are write-only, only their presence is shown. */
export interface TaskView extends Omit<TaskConfig, 'source' | 'destination'>, TaskLifecycleView {
  id: string;
  status: TaskStatus;
  source: WithoutSecrets<TaskConfig['source']> & { passwordSet: boolean };
  destination: Omit<WithoutSecrets<TaskConfig['destination']>, 'schemaRegistry'> & {
    passwordSet: boolean;
    clientKeySet: boolean;
    schemaRegistry?: WithoutSecrets<NonNullable<TaskConfig['destination']['schemaRegistry']>> & { passwordSet: boolean };
  };
  slotName: string;
  confirmedLsn: string | null;
  delaySeconds: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  /** The scheduler holding the task's lease (the one running its worker); null when none does. */
  scheduler: TaskSchedulerView | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  /** Stable, one of ERROR_CODES: clients switch on it. */
  code?: ErrorCode;
  details?: { field: string; message: string }[];
}
