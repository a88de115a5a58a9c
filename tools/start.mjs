// `npm start`: everything a newcomer needs on a fresh machine: dependencies, build, the local
// stack with the demo source database, migrations, the api (serving the console) and the
// scheduler. Ctrl+C stops api and scheduler; the stack keeps running (`npm run stack:down`).
// `npm start -- --schedulers 2` starts a fleet of that many schedulers (README "Running a fleet"),
// the first one's health port API_PORT+1, the next ones' +2, +3, …
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  REPO_ROOT,
  build,
  ensureDatabase,
  ensureTopic,
  installDependencies,
  loadStack,
  log,
  migrate,
  startApp,
  stopChild,
  waitForHttp,
} from './lib/workspace.mjs';

const API_PORT = Number(process.env.WALBRIDGE_API_PORT ?? 8080);
const SCHEDULER_HEALTH_PORT = Number(process.env.WALBRIDGE_SCHEDULER_HEALTH_PORT ?? API_PORT + 1);
const DEMO_TOPIC = 'walbridge-demo';
const SCHEDULERS = schedulerCount(process.argv.slice(2));

installDependencies();
build();
const stack = await loadStack();
await stack.up({ quiet: false });
const config = stack.stackConfig();
await ensureDatabase(stack, config.postgres.metadataDatabase);
const admin = firstAdmin(config.stackDir);
const env = {
  ...config.env,
  // Only used when the metadata database has no user yet; later starts keep whatever was changed.
  WALBRIDGE_ADMIN_USER: admin.username,
  WALBRIDGE_ADMIN_PASSWORD: admin.password,
  WALBRIDGE_API_PORT: String(API_PORT),
  WALBRIDGE_SCHEDULER_HEALTH_PORT: String(SCHEDULER_HEALTH_PORT),
  // Outside the stack directory (key directory), moved there from where older versions kept it.
  WALBRIDGE_MASTER_KEY_FILE: process.env.WALBRIDGE_MASTER_KEY_FILE ?? stack.ensureMasterKeyFile(config, log),
};
if (migrate('run', env) !== 0) throw new Error('migrations failed');
await ensureTopic(config.kafka.brokers, DEMO_TOPIC, 3);

const logDir = join(config.stackDir, 'logs');
const api = startApp('api', env, join(logDir, 'api.log'));
const schedulerLog = (i) => (i === 0 ? 'scheduler.log' : `scheduler-${i + 1}.log`);
const schedulers = Array.from({ length: SCHEDULERS }, (_, i) =>
  startApp('scheduler', { ...env, WALBRIDGE_SCHEDULER_HEALTH_PORT: String(SCHEDULER_HEALTH_PORT + i) }, join(logDir, schedulerLog(i))),
);
await Promise.all([
  waitForHttp(`http://127.0.0.1:${API_PORT}/health`, api),
  ...schedulers.map((s, i) => waitForHttp(`http://127.0.0.1:${SCHEDULER_HEALTH_PORT + i}/health`, s)),
]);

const { demo } = config.postgres;
console.log(`
  Walbridge is running.

  Console        http://127.0.0.1:${API_PORT}/
  Admin login    ${admin.username} / ${admin.password}   (set at the first start; if you changed it, use yours)
  REST API       http://127.0.0.1:${API_PORT}/api/v1   (OpenAPI UI at /api/docs)
  Demo source    ${config.postgres.host}:${config.postgres.port}/${demo.database}  user ${demo.user} / password ${demo.password}  (schema ${demo.schema})
  Kafka          ${config.kafka.brokers}   (topic ${DEMO_TOPIC} is ready, 3 partitions)
  Logs           ${logDir.replace(REPO_ROOT + '/', '')}/api.log, ${schedulers.map((_, i) => schedulerLog(i)).join(', ')}
${SCHEDULERS > 1 ? `  Schedulers     ${SCHEDULERS} (pids ${schedulers.map((s) => s.pid).join(', ')}; GET /api/v1/schedulers, console → Schedulers)\n` : ''}
  The README walks through creating a task with curl. Ctrl+C stops api and ${SCHEDULERS > 1 ? 'schedulers' : 'scheduler'};
  npm run stack:down stops PostgreSQL, Redis and Kafka.
`);

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  log(`stopping api and ${SCHEDULERS > 1 ? 'schedulers' : 'scheduler'} (workers drain and keep their slots)`);
  await Promise.all([...schedulers.map((s) => stopChild(s)), stopChild(api)]);
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
api.on('exit', (code) => {
  if (!stopping) {
    log(`api exited with code ${code}; see ${join(logDir, 'api.log')}`);
    void shutdown();
  }
});
// In a fleet a scheduler stopped on purpose (kill -TERM <pid>: it drains) leaves the others running.
schedulers.forEach((child, i) =>
  child.on('exit', (code) => {
    if (stopping) return;
    log(`scheduler pid ${child.pid} exited with code ${code}; see ${join(logDir, schedulerLog(i))}`);
    if (schedulers.every((s) => s.exitCode !== null || s.signalCode !== null)) void shutdown();
  }),
);

function schedulerCount(args) {
  const i = args.indexOf('--schedulers');
  if (i < 0) return 1;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 9) throw new Error(`--schedulers ${args[i + 1] ?? ''}: a whole number from 1 to 9`);
  return n;
}

/**
 * The local install's first admin: a password generated once and kept next to the stack's data
 * (mode 0600), so `npm start` can print the login every time. WALBRIDGE_ADMIN_USER and
 * WALBRIDGE_ADMIN_PASSWORD, when set, win.
 */
function firstAdmin(stackDir) {
  const file = join(stackDir, 'admin.password');
  const username = process.env.WALBRIDGE_ADMIN_USER ?? 'admin';
  if (process.env.WALBRIDGE_ADMIN_PASSWORD) return { username, password: process.env.WALBRIDGE_ADMIN_PASSWORD };
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(12).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  return { username, password: readFileSync(file, 'utf8').trim() };
}
