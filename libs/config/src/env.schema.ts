import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);

export const envSchema = z.object({
  WALBRIDGE_DATABASE_URL: z
    .string()
    .url()
    .default('postgres://walbridge:walbridge@127.0.0.1:55432/walbridge'),
  WALBRIDGE_REDIS_URL: z.string().url().default('redis://127.0.0.1:56379'),
  // Lets a test run, or a second installation, share one Redis without seeing each other's jobs.
  WALBRIDGE_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('walbridge'),
  WALBRIDGE_API_HOST: z.string().default('127.0.0.1'),
  WALBRIDGE_API_PORT: port.default(8080),
  WALBRIDGE_SCHEDULER_HEALTH_PORT: port.default(8081),
  WALBRIDGE_DATA_DIR: z.string().default('.walbridge'),
  WALBRIDGE_MASTER_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64 encoded')
    .optional(),
  WALBRIDGE_MASTER_KEY_FILE: z.string().optional(),
  WALBRIDGE_CONSOLE_DIR: z.string().optional(),
  WALBRIDGE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  // Restart backoff for a crashed worker process: first delay, doubling up to the max.
  WALBRIDGE_WORKER_RESTART_MIN_MS: z.coerce.number().int().min(10).default(1000),
  WALBRIDGE_WORKER_RESTART_MAX_MS: z.coerce.number().int().min(10).default(30000),
  WALBRIDGE_LEASE_TTL_MS: z.coerce.number().int().min(1000).default(15000),
  // The first admin, created when the metadata database has no user yet (later starts ignore
  // both). Without a password one is generated and printed once.
  WALBRIDGE_ADMIN_USER: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9._@-]{2,63}$/, '3-64 characters: letters, digits, . _ @ -')
    .default('admin'),
  WALBRIDGE_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').max(128).optional(),
  WALBRIDGE_SESSION_TTL_MINUTES: z.coerce.number().int().min(5).max(43200).default(720),
  // Failed logins per user and client address before logins are refused for the lockout time.
  WALBRIDGE_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  WALBRIDGE_LOGIN_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86400).default(900),
  // Origins allowed to call the API from a browser (comma separated); none by default, because
  // the console is served from the API's own origin.
  WALBRIDGE_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().url('each origin must be a URL such as https://console.example.com'))),
  // Behind a reverse proxy: trust X-Forwarded-For/-Proto, so rate limits see the client's address
  // and the session cookie gets `Secure` when the browser used HTTPS.
  WALBRIDGE_TRUST_PROXY: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  // How often the scheduler evaluates abnormal tasks (auto-stop) and measures the WAL retained by
  // slots that no worker is streaming (paused, failed, left over).
  WALBRIDGE_HOUSEKEEPING_MS: z.coerce.number().int().min(200).default(30000),
  // An idle slot (no worker streaming it) is measured again once its last measure is this old.
  WALBRIDGE_SLOT_CHECK_MS: z.coerce.number().int().min(1000).default(60000),
  // Monitoring (PRODUCT.md §6): a sample per streaming task is stored this often (at most 10 s)
  // and kept this long (at least 24 h); live values are pushed every second regardless.
  WALBRIDGE_METRICS_SAMPLE_MS: z.coerce.number().int().min(1000).max(10000).default(10000),
  WALBRIDGE_METRICS_RETENTION_HOURS: z.coerce.number().int().min(24).max(8760).default(48),
  // Notifications: attempts per webhook or e-mail delivery, the first retry delay (doubling after
  // each failure: 10 s, 20 s, 40 s … by default), the time one attempt may take, and how long
  // notifications stay in the inbox.
  WALBRIDGE_NOTIFY_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
  WALBRIDGE_NOTIFY_RETRY_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  WALBRIDGE_NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(1000).max(60_000).default(10_000),
  WALBRIDGE_NOTIFICATION_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  // The SMTP server of e-mail channels that do not name their own: smtp://user:password@host:587
  // (STARTTLS when offered) or smtps://…:465 (TLS), and the sender address.
  WALBRIDGE_SMTP_URL: z
    .string()
    .url()
    .refine((v) => /^smtps?:\/\//.test(v), 'must be an smtp:// or smtps:// URL')
    .optional(),
  WALBRIDGE_SMTP_FROM: z.string().regex(/^[^\s@<>]+@[^\s@<>]+$/, 'must be an e-mail address').default('walbridge@localhost'),
  // Notify when a task's slot retains more WAL than this on the source (0 = off), unless the task
  // sets alarms.walRetentionLimitMb.
  WALBRIDGE_SLOT_WAL_LIMIT_MB: z.coerce.number().int().min(0).default(10240),
  // Test acceleration: retry windows and the abnormal auto-stop delay pass this many times faster.
  // Always 1 in production.
  WALBRIDGE_TIME_SCALE: z.coerce.number().min(1).max(1e7).default(1),
});

export type AppConfig = z.output<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** Validates the environment once at boot; a bad value stops the process and names the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return parsed.data;
}
