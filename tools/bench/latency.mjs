// The latency scenario's parts (scenario-latency.mjs puts them together): a paced loader of
// single-row transactions committed with synchronous_commit = on, each row carrying its commit
// clock time; the latencies read back from Kafka (LogAppendTime) and from pg_recvlogical; the
// producer tool's latency percentiles.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { log } from '../lib/workspace.mjs';
import { findPgRecvlogical, kafkajs, waitUntil } from './util.mjs';

/** Every latency table has these columns; `committed_us` is the clock just before the row's COMMIT. */
export async function createLatencyTable(source, table, owner) {
  await source.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, committed_us bigint NOT NULL, payload text)`);
  await source.query(`ALTER TABLE ${table} OWNER TO ${owner}`);
}

/**
 * One DO block per loader connection: `rows` single-row transactions at `rate` rows/s in all,
 * loader k of L taking ids k+1, k+1+L, ... Each row is due at t0 + i/(rate/L); pg_sleep waits
 * (at least 1 ms) when the loader is ahead, so rows leave in bursts of about a millisecond's worth.
 * The session commits with synchronous_commit = on, as a production database does: the commit
 * flushes the WAL, so the walsender can send the row at once (the stack runs with it off).
 */
export function pacedLoaderSql({ table, rows, rate, loaders, k, payloadBytes = 100, firstId = 1 }) {
  const count = Math.floor((rows - 1 - k) / loaders) + 1;
  if (rows <= k || count <= 0) return null;
  const perLoader = rate / loaders;
  return `DO $bench$
DECLARE
  t0 timestamptz := clock_timestamp();
  due timestamptz;
BEGIN
  FOR i IN 0..${count - 1} LOOP
    due := t0 + make_interval(secs => i / ${perLoader}::float8);
    IF clock_timestamp() < due THEN
      PERFORM pg_sleep(extract(epoch FROM due - clock_timestamp()));
    END IF;
    INSERT INTO ${table} (id, committed_us, payload)
      VALUES (${firstId + k} + i::bigint * ${loaders}, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint, repeat('x', ${payloadBytes}));
    COMMIT;
  END LOOP;
END
$bench$`;
}

/** Runs the paced load on the given connections; resolves the seconds it took. */
export async function runPacedLoad(clients, { table, rows, rate, firstId = 1 }) {
  const started = Date.now();
  await Promise.all(
    clients.map(async (client, k) => {
      const sql = pacedLoaderSql({ table, rows, rate, loaders: clients.length, k, firstId });
      if (!sql) return;
      await client.query('SET synchronous_commit = on');
      await client.query(sql);
    }),
  );
  return (Date.now() - started) / 1000;
}

/** p50/p95/p99/max (and count) of a list of latencies in ms. */
export function percentiles(values) {
  if (!values.length) return { count: 0, p50: null, p95: null, p99: null, max: null };
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] };
}

/**
 * Reads the topic from the beginning until `want` rows of `table` were seen: latency = the
 * message's timestamp (the topic's LogAppendTime: when the broker appended it) minus the row's
 * committed_us. Messages of other tables (the big transaction's) are skipped. Resolves
 * { committedMs, latencyMs } per row.
 */
export async function latenciesFromTopic(brokers, topic, table, want) {
  const { Kafka, logLevel } = kafkajs();
  const kafka = new Kafka({ clientId: 'walbridge-bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const groupId = `walbridge-bench-latency-${topic}`;
  const consumer = kafka.consumer({ groupId, maxBytes: 64 * 1024 * 1024 });
  const latencies = [];
  const tableName = table.split('.')[1];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const value = m.value?.toString();
          if (!value) continue;
          const envelope = JSON.parse(value);
          if (envelope.table !== tableName) continue;
          const committedMs = Number(envelope.data?.[0]?.committed_us) / 1000;
          latencies.push({ committedMs, latencyMs: Number(m.timestamp) - committedMs });
        }
      },
    });
    await waitUntil(`${want} rows of ${table} read back from ${topic}`, async () => (latencies.length >= want ? true : undefined), { timeoutMs: 300_000, everyMs: 200 });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.disconnect();
  return latencies;
}

/**
 * The decoding floor: pg_recvlogical (test_decoding) on its own slot, its output read as it
 * arrives; latency = when this process read the row's line minus its committed_us. Resolves a
 * handle whose stop() ends pg_recvlogical and returns the latencies of `want` rows.
 */
export async function startRecvlogicalProbe({ postgres, database, slot }) {
  const binary = findPgRecvlogical();
  const dsn = `host=${postgres.host} port=${postgres.port} user=${postgres.superuser.user} dbname=${database} application_name=walbridge-bench-recvlogical`;
  // -F 0: no fsync of the output; status every second (the slot's confirm), as a consumer would.
  const args = ['-d', dsn, '--slot', slot, '--start', '-o', 'include-xids=0', '-o', 'skip-empty-xacts=1', '-F', '0', '-s', '1', '-f', '-'];
  log(`decoding floor: ${binary} ${args.join(' ')}`);
  const child = spawn(binary, args, { env: { ...process.env, PGPASSWORD: postgres.superuser.password }, stdio: ['ignore', 'pipe', 'pipe'] });
  const latencies = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const lines = createInterface({ input: child.stdout });
  // e.g. table shop.bench_1_small: INSERT: id[bigint]:1 committed_us[bigint]:1733270400123456 payload[text]:'xx'
  const pattern = /committed_us\[bigint\]:(\d+)/;
  lines.on('line', (line) => {
    const now = performance.timeOrigin + performance.now();
    const match = pattern.exec(line);
    if (match) latencies.push(now - Number(match[1]) / 1000);
  });
  const exited = new Promise((resolve) => child.on('close', resolve));
  return {
    count: () => latencies.length,
    async stop() {
      child.kill('SIGINT');
      const code = await exited;
      if (code !== 0 && code !== null && !latencies.length) throw new Error(`pg_recvlogical exited with ${code}: ${stderr.trim()}`);
      return latencies;
    },
  };
}

/**
 * Kafka's producer tool at `rate` records/s with Walbridge's producer settings: its own latency
 * percentiles (send → acknowledgement), the producing floor.
 */
export async function measureProducerLatency({ stack, topic, records, recordSize, rate, runTimed }) {
  const { kafka } = stack.stackConfig();
  const { command, args } = stack.kafkaToolCommand(
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic', topic, '--num-records', String(records), '--record-size', String(recordSize), '--throughput', String(rate),
    '--producer-props', `bootstrap.servers=${kafka.brokers}`, 'acks=all', 'enable.idempotence=true', 'linger.ms=0',
  );
  log(`producing floor: ProducerPerformance --topic ${topic} --num-records ${records} --record-size ${recordSize} --throughput ${rate} acks=all enable.idempotence=true linger.ms=0`);
  const result = await runTimed(command, args, { timeoutMs: 10 * 60_000 });
  if (result.code !== 0) throw new Error(`ProducerPerformance exited with ${result.code}: ${(result.stderr || result.stdout).trim().slice(-2000)}`);
  // "... 2.31 ms avg latency, 87.00 ms max latency, 2 ms 50th, 4 ms 95th, 9 ms 99th, 30 ms 99.9th."
  const summary = result.stdout.trim().split('\n').filter((line) => / records sent, /.test(line)).pop() ?? '';
  const match = /([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(summary);
  if (!match) throw new Error(`could not read ProducerPerformance's percentiles from:\n${result.stdout.slice(-2000)}`);
  return { max: Number(match[1]), p50: Number(match[2]), p95: Number(match[3]), p99: Number(match[4]), summary: summary.trim() };
}
