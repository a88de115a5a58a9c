// Benchmark options: `--rows 200000` or `--rows=200000` on the command line, else the matching
// WALBRIDGE_BENCH_* variable, else the default (PRODUCT.md §11's scenario).

/** What `--scenario` picks: how the load reaches the task, and what is measured. */
export const SCENARIOS = {
  'end-to-end': 'N rows in txRows-row transactions streamed into Kafka, beside pg_recvlogical and producer-tool ceilings',
  snapshot: 'N existing rows read by a full+incremental task, beside COPY TO STDOUT and producer-tool ceilings',
  'many-tasks': '--many-tasks tasks on one scheduler: idle cost per worker, then --many-rate rows/s into each',
  'control-plane': 'GET /api/v1/tasks over --api-tasks tasks at --api-rate/s beside GET /health; precheck of 20 tables beside 1',
  latency: 'paced single-row transactions (synchronous_commit = on), commit → Kafka append p50/p95/p99/max beside pg_recvlogical and producer-tool floors',
};

const SPEC = {
  rows: { env: 'WALBRIDGE_BENCH_ROWS', default: 1_000_000, min: 1, help: 'rows inserted (end-to-end) or existing (snapshot)' },
  'tx-rows': { env: 'WALBRIDGE_BENCH_TX_ROWS', default: 200, min: 1, help: 'rows per committed source transaction (end-to-end)' },
  'row-bytes': { env: 'WALBRIDGE_BENCH_ROW_BYTES', default: 200, min: 16, help: 'bytes per source row (id bigint + payload text)' },
  loaders: { env: 'WALBRIDGE_BENCH_LOADERS', default: 1, min: 1, help: 'concurrent connections generating the load' },
  rate: { env: 'WALBRIDGE_BENCH_RATE', default: 5_000, min: 1, help: 'single-row transactions per second (latency)' },
  seconds: { env: 'WALBRIDGE_BENCH_SECONDS', default: 60, min: 1, help: 'how long the paced load runs (latency)' },
  'big-tx-rows': { env: 'WALBRIDGE_BENCH_BIG_TX_ROWS', default: 100_000, min: 0, help: 'rows of the one big transaction on another table halfway (latency; 0: none)' },
  repeat: { env: 'WALBRIDGE_BENCH_REPEAT', default: 1, min: 1, help: 'runs of the scenario; prints the median and min-max of every figure' },
  'api-tasks': { env: 'WALBRIDGE_BENCH_API_TASKS', default: 1000, min: 1, help: 'tasks in the metadata database (control-plane)' },
  'api-rate': { env: 'WALBRIDGE_BENCH_API_RATE', default: 100, min: 1, help: 'list requests per second (control-plane)' },
  'api-seconds': { env: 'WALBRIDGE_BENCH_API_SECONDS', default: 30, min: 1, help: 'seconds of list requests (control-plane)' },
  'many-tasks': { env: 'WALBRIDGE_BENCH_MANY_TASKS', default: 30, min: 1, help: 'tasks on the one scheduler (many-tasks)' },
  'many-rate': { env: 'WALBRIDGE_BENCH_MANY_RATE', default: 1000, min: 10, help: 'rows/s into each task\'s table (many-tasks)' },
  'many-seconds': { env: 'WALBRIDGE_BENCH_MANY_SECONDS', default: 60, min: 1, help: 'seconds of load (many-tasks)' },
  'api-port': { env: 'WALBRIDGE_BENCH_API_PORT', default: 58180, min: 1, help: 'api port (the scheduler health port is the next one)' },
};


const DEFAULT_SCENARIO = 'end-to-end';

const USAGE = [
  'usage: npm run bench -- [--scenario NAME] [--repeat N] [--rows N] [--tx-rows N] [--row-bytes N] [--loaders N]',
  '                        [--rate N] [--seconds N] [--big-tx-rows N] [--many-tasks N] [--many-rate N] [--many-seconds N]',
  '                        [--api-tasks N] [--api-rate N] [--api-seconds N] [--api-port N] [--cpu-prof] [--no-build]',
  `  --scenario   one of (env WALBRIDGE_BENCH_SCENARIO, default ${DEFAULT_SCENARIO}):`,
  ...Object.entries(SCENARIOS).map(([name, help]) => `       ${name.padEnd(13)} ${help}`),
  ...Object.entries(SPEC).map(([name, s]) => `  --${name.padEnd(12)} ${s.help} (env ${s.env}, default ${s.default})`),
  '  --cpu-prof   write V8 CPU profiles of the scheduler and its workers to test-results/bench/profiles (env WALBRIDGE_BENCH_CPU_PROF=1)',
  '  --no-build   skip `nx run-many -t build` (env WALBRIDGE_BENCH_NO_BUILD=1)',
].join('\n');

const integer = (raw) => Number(String(raw).replace(/[_,]/g, ''));

export function parseOptions(argv = process.argv.slice(2), env = process.env) {
  const given = {};
  let build = env.WALBRIDGE_BENCH_NO_BUILD !== '1';
  let cpuProf = env.WALBRIDGE_BENCH_CPU_PROF === '1';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (arg === '--no-build') {
      build = false;
      continue;
    }
    if (arg === '--cpu-prof') {
      cpuProf = true;
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !(SPEC[match[1]] || match[1] === 'scenario')) throw new Error(`unknown argument ${arg}\n${USAGE}`);
    given[match[1]] = match[2] ?? argv[++i];
  }
  const scenario = given.scenario ?? (env.WALBRIDGE_BENCH_SCENARIO || DEFAULT_SCENARIO);
  if (!SCENARIOS[scenario]) throw new Error(`--scenario must be one of ${Object.keys(SCENARIOS).join(', ')} (got ${scenario})`);
  const options = { scenario, build, cpuProf };
  for (const [name, spec] of Object.entries(SPEC)) {
    const raw = given[name] ?? env[spec.env];
    const value = raw === undefined || raw === '' ? spec.default : integer(raw);
    if (!Number.isInteger(value) || value < spec.min) throw new Error(`--${name} must be an integer >= ${spec.min} (got ${raw})`);
    options[camel(name)] = value;
  }
  return options;
}

const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
