/**
 * What a worker process is started to do (libs/queue worker-protocol explains each); the
 * supervisor's decisions (libs/domain supervision) pick one.
 */
export const WORKER_MODES = ['stream', 'teardown', 'reset', 'inspect', 'publish'] as const;

export type WorkerMode = (typeof WORKER_MODES)[number];
