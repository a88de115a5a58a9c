import { ConfigError } from '@walbridge/config';
import { workerTuningSchema, type WorkerTuning } from '@walbridge/contracts';

/** The environment variable of each tuning value (README "Configuration"). */
const VARIABLES: Record<keyof WorkerTuning, string> = {
  heartbeatMs: 'WALBRIDGE_HEARTBEAT_MS',
  slotReportMs: 'WALBRIDGE_SLOT_REPORT_MS',
  startDeadlineMs: 'WALBRIDGE_START_DEADLINE_MS',
  snapshotParallel: 'WALBRIDGE_SNAPSHOT_PARALLEL',
  topicCheckMs: 'WALBRIDGE_TOPIC_CHECK_MS',
  tableDiscoveryMs: 'WALBRIDGE_TABLE_DISCOVERY_MS',
  maxBatchBytes: 'WALBRIDGE_MAX_BATCH_BYTES',
  maxBatchMessages: 'WALBRIDGE_MAX_BATCH_MESSAGES',
  backpressureHighBytes: 'WALBRIDGE_BACKPRESSURE_HIGH_BYTES',
  backpressureLowBytes: 'WALBRIDGE_BACKPRESSURE_LOW_BYTES',
};

/**
 * The workers' tuning from the scheduler's environment, validated: a bad value is a
 * ConfigError naming the variable (the scheduler then refuses to start).
 */
export function loadWorkerTuning(env: NodeJS.ProcessEnv = process.env): WorkerTuning {
  const raw = Object.fromEntries(Object.entries(VARIABLES).map(([field, variable]) => [field, env[variable]]));
  const parsed = workerTuningSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${VARIABLES[i.path[0] as keyof WorkerTuning] ?? i.path.join('.')}: ${i.message}`));
  }
  return parsed.data;
}

let loaded: WorkerTuning | undefined;

/** Read once (at boot, see main.ts) and sent in every worker's start message. */
export function workerTuning(): WorkerTuning {
  return (loaded ??= loadWorkerTuning());
}
