// `npm run migrate` / `npm run migrate:check`: the metadata migrations, on a fresh machine too.
// Against WALBRIDGE_DATABASE_URL when it is set (a production database), else against the local
// stack's metadata database (`npm run stack:up` first; this script never starts the stack, so it
// cannot create a cluster by surprise next to the one an operator meant).
//   run    applies pending migrations
//   check  applies them, then fails when the entities describe a schema they do not produce
//   rotate-key  re-seals every stored secret with a new master key (api and schedulers stopped)
import { ensureDatabase, installDependencies, loadStack, log, migrate, run } from './lib/workspace.mjs';

const COMMANDS = ['run', 'check', 'rotate-key'];

/** Resolves with the exit code: 0 done, 1 failed, 2 wrong usage. */
async function main(command) {
  if (!COMMANDS.includes(command)) {
    console.error(`usage: node tools/migrate.mjs ${COMMANDS.join('|')}`);
    return 2;
  }
  installDependencies();
  // Always through Nx (a no-op from its cache when nothing changed): a dist left by an older
  // checkout would apply that checkout's migrations.
  run('npx', ['nx', 'run', 'migrations:build', '--output-style=static'], { env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' } });

  let env = {};
  if (!process.env.WALBRIDGE_DATABASE_URL) {
    const stack = await loadStack();
    const status = await stack.status();
    if (!status.services.postgres.up) {
      console.error("the local stack's PostgreSQL is not running: start it with `npm run stack:up`, or set WALBRIDGE_DATABASE_URL");
      return 1;
    }
    const config = stack.stackConfig();
    await ensureDatabase(stack, config.postgres.metadataDatabase);
    // The local stack's key file, as `npm start` uses it (re-sealing legacy secrets and rotation need it).
    env = { ...config.env, WALBRIDGE_MASTER_KEY_FILE: process.env.WALBRIDGE_MASTER_KEY_FILE ?? stack.ensureMasterKeyFile(config, log) };
    log(`metadata database: ${config.postgres.host}:${config.postgres.port}/${config.postgres.metadataDatabase}`);
  }
  return migrate(command, env);
}

process.exitCode = await main(process.argv[2]);
