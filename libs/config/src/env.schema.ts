import { isIP } from 'node:net';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);

const list = (v: string) => v.split(',').map((o) => o.trim()).filter(Boolean);

/** An address or CIDR block, IPv4 or IPv6. */
export function isCidr(value: string): boolean {
  const [address, prefix, extra] = value.split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

// Express's names for address ranges, accepted by WALBRIDGE_TRUST_PROXY next to CIDRs.
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * false, a hop count (the number of proxies in front of the api: the client is the address that
 * many hops back in X-Forwarded-For), or the proxies' addresses/CIDRs. "true" (trust any
 * proxy) is refused: every client could then choose its own address.
 */
const trustProxy = z
  .string()
  .default('false')
  .transform((v, ctx): false | number | string[] => {
    const value = v.trim();
    if (value === '' || value === 'false' || value === '0') return false;
    if (/^\d+$/.test(value)) return Number(value);
    if (value === 'true') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'trusting any proxy lets every client choose its own address: give the number of proxies in front of the api (e.g. 1) or their addresses/CIDRs' });
      return z.NEVER;
    }
    const entries = list(value);
    const bad = entries.filter((e) => !isCidr(e) && !PROXY_RANGE_NAMES.includes(e));
    if (bad.length) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a hop count, an address or a CIDR: ${bad.join(', ')}` });
      return z.NEVER;
    }
    return entries;
  });

/** host:port, or [v6 address]:port. */
const SENTINEL_ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** WALBRIDGE_REDIS_SENTINELS: host:port,host:port,… (at least one). */
const sentinelList = z.string().transform((v, ctx): { host: string; port: number }[] => {
  const entries = list(v);
  const parsed = entries.map((e) => SENTINEL_ADDRESS.exec(e));
  const bad = entries.filter((_, i) => !parsed[i] || Number(parsed[i]![2]) < 1 || Number(parsed[i]![2]) > 65535);
  if (!entries.length || bad.length) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `must be a comma separated list of host:port (e.g. 10.0.0.5:26379,10.0.0.6:26379)${bad.length ? `; not host:port: ${bad.join(', ')}` : ''}`,
    });
    return z.NEVER;
  }
  return parsed.map((m) => ({ host: m![1].replace(/^\[|\]$/g, ''), port: Number(m![2]) }));
});

/** The outbound policy's defaults: link-local (cloud metadata at 169.254.169.254), IPv6 unique local, metadata names. */
export const DEFAULT_OUTBOUND_DENY = '169.254.0.0/16,fe80::/10,fd00::/8,metadata.google.internal,metadata.goog,metadata,instance-data,instance-data.ec2.internal';

export const envSchema = z.object({
  WALBRIDGE_DATABASE_URL: z
    .string()
    .url()
    .default('postgres://walbridge:walbridge@127.0.0.1:55432/walbridge'),
  WALBRIDGE_REDIS_URL: z.string().url().refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// or rediss:// URL').default('redis://127.0.0.1:56379'),
  // Redis high availability (README "Running a fleet"): the Sentinels to ask for the primary,
  // host:port,host:port; when set, WALBRIDGE_REDIS_URL is not used.
  WALBRIDGE_REDIS_SENTINELS: sentinelList.optional(),
  // The name the Sentinels monitor the primary under (`sentinel monitor <name> …`).
  WALBRIDGE_REDIS_SENTINEL_NAME: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, '1-64 characters: letters, digits, . _ -').optional(),
  // The Sentinels' own password (their requirepass), if they have one.
  WALBRIDGE_REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  // The password of the Redis servers (primary and replicas); in the single-node case it
  // replaces the one in WALBRIDGE_REDIS_URL, so that the URL may carry none.
  WALBRIDGE_REDIS_PASSWORD: z.string().min(1).optional(),
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
  // Fleet (README "Running a fleet"): tasks this scheduler may hold at once; a start, resume or
  // takeover goes to a scheduler with room, the least loaded first, else it waits for capacity.
  WALBRIDGE_SCHEDULER_MAX_TASKS: z.coerce.number().int().min(1).max(10_000).default(50),
  // How often a scheduler publishes itself (load, draining) in Redis; its record lives 3 heartbeats.
  WALBRIDGE_SCHEDULER_HEARTBEAT_MS: z.coerce.number().int().min(200).max(60_000).default(2000),
  // on: the most loaded scheduler hands tasks over, one at a time, until the spread is even
  // (within one task); off: tasks stay where they run until a drain or a failure moves them.
  WALBRIDGE_REBALANCE: z.enum(['on', 'off']).default('on'),
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
  // Per user name across all addresses: past WALBRIDGE_LOGIN_MAX_FAILURES, each attempt waits
  // 1 s, 2 s, 4 s ... up to this (addresses the user logged in from before are exempt).
  WALBRIDGE_LOGIN_BACKOFF_MAX_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  // Login attempts under way at once per client address and per user name (429 beyond).
  WALBRIDGE_LOGIN_MAX_CONCURRENT: z.coerce.number().int().min(1).max(100).default(4),
  // Password checks (scrypt, on libuv's 4-thread pool) at once per api process, and how many
  // may wait; beyond, 503 with Retry-After, so a login flood cannot stall /health or streams.
  WALBRIDGE_PASSWORD_CHECKS: z.coerce.number().int().min(1).max(16).default(2),
  WALBRIDGE_PASSWORD_CHECK_QUEUE: z.coerce.number().int().min(0).max(1000).default(8),
  // Origins allowed to call the API from a browser (comma separated); none by default, because
  // the console is served from the API's own origin.
  WALBRIDGE_CORS_ORIGINS: z
    .string()
    .default('')
    .transform(list)
    .pipe(z.array(z.string().url('each origin must be a URL such as https://console.example.com'))),
  // Origins besides the api's own whose pages may send cookie-authenticated changes (the CORS
  // origins are allowed too), e.g. the Vite dev server. Same-origin is always allowed.
  WALBRIDGE_ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform(list)
    .pipe(z.array(z.string().url('each origin must be a URL such as https://console.example.com'))),
  // Host header values the api answers (DNS rebinding); empty: any. E.g. walbridge.example.com,127.0.0.1:8080
  WALBRIDGE_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((v) => list(v).map((h) => h.toLowerCase())),
  // Where sources, brokers, webhooks and SMTP servers may not be: CIDRs and host names (a name
  // also denies its subdomains). Loopback is allowed by default for the local stack; add
  // 127.0.0.0/8,::1 to deny it. "none" turns the policy off.
  WALBRIDGE_OUTBOUND_DENY: z
    .string()
    .default(DEFAULT_OUTBOUND_DENY)
    .transform((v) => (v.trim() === 'none' ? [] : list(v).map((e) => e.toLowerCase())))
    .refine(
      (entries) => entries.every((e) => isCidr(e) || /^[a-z0-9.-]+$/.test(e)),
      'each entry must be an address, a CIDR (169.254.0.0/16) or a host name',
    ),
  // API tokens created without an expiry expire after this many days (0: never).
  WALBRIDGE_TOKEN_DEFAULT_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
  // A session unused this long ends, whatever its WALBRIDGE_SESSION_TTL_MINUTES.
  WALBRIDGE_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(43200).default(120),
  // Behind a reverse proxy: trust X-Forwarded-For/-Proto, so rate limits see the client's address
  // and the session cookie gets `Secure` when the browser used HTTPS.
  WALBRIDGE_TRUST_PROXY: trustProxy,
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

/** Rules across variables, each issue on the variable to fix. */
function crossChecks(config: AppConfig): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (config.WALBRIDGE_REDIS_SENTINELS && !config.WALBRIDGE_REDIS_SENTINEL_NAME) {
    problems.push({ path: 'WALBRIDGE_REDIS_SENTINEL_NAME', message: 'required with WALBRIDGE_REDIS_SENTINELS: the name the Sentinels monitor the primary under' });
  }
  if (!config.WALBRIDGE_REDIS_SENTINELS && config.WALBRIDGE_REDIS_SENTINEL_NAME) {
    problems.push({ path: 'WALBRIDGE_REDIS_SENTINELS', message: 'required with WALBRIDGE_REDIS_SENTINEL_NAME: the Sentinels to ask, host:port,host:port' });
  }
  return problems;
}

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
  const problems = crossChecks(parsed.data);
  if (problems.length) throw new ConfigError(problems.map((p) => `${p.path}: ${p.message}`));
  return parsed.data;
}
