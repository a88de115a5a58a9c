// Benchmark options: `--rows 200000` or `--rows=200000` on the command line, else the matching
// WALBRIDGE_BENCH_* variable, else the default (PRODUCT.md §11's scenario).
const SPEC = {
  rows: { env: 'WALBRIDGE_BENCH_ROWS', default: 1_000_000, min: 1, help: 'rows inserted (and messages expected in Kafka)' },
  'tx-rows': { env: 'WALBRIDGE_BENCH_TX_ROWS', default: 200, min: 1, help: 'rows per committed source transaction' },
  'row-bytes': { env: 'WALBRIDGE_BENCH_ROW_BYTES', default: 200, min: 16, help: 'bytes per source row (id bigint + payload text)' },
  loaders: { env: 'WALBRIDGE_BENCH_LOADERS', default: 1, min: 1, help: 'concurrent connections generating the load' },
  'api-port': { env: 'WALBRIDGE_BENCH_API_PORT', default: 58180, min: 1, help: 'api port (the scheduler health port is the next one)' },
};

const USAGE = [
  'usage: npm run bench -- [--rows N] [--tx-rows N] [--row-bytes N] [--loaders N] [--api-port N] [--no-build]',
  ...Object.entries(SPEC).map(([name, s]) => `  --${name.padEnd(10)} ${s.help} (env ${s.env}, default ${s.default})`),
  '  --no-build   skip `nx run-many -t build` (env WALBRIDGE_BENCH_NO_BUILD=1)',
].join('\n');

export function parseOptions(argv = process.argv.slice(2), env = process.env) {
  const given = {};
  let build = env.WALBRIDGE_BENCH_NO_BUILD !== '1';
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
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !SPEC[match[1]]) throw new Error(`unknown argument ${arg}\n${USAGE}`);
    given[match[1]] = match[2] ?? argv[++i];
  }
  const options = { build };
  for (const [name, spec] of Object.entries(SPEC)) {
    const raw = given[name] ?? env[spec.env];
    const value = raw === undefined || raw === '' ? spec.default : Number(String(raw).replace(/[_,]/g, ''));
    if (!Number.isInteger(value) || value < spec.min) throw new Error(`--${name} must be an integer >= ${spec.min} (got ${raw})`);
    options[camel(name)] = value;
  }
  return options;
}

const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
