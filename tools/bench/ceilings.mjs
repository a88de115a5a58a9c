// Scenarios 2 and 3: what this machine can do at most, measured with the tools PostgreSQL and
// Kafka ship. Walbridge cannot be faster than decoding the WAL (pg_recvlogical with pgoutput)
// nor than producing to Kafka with acks=all and idempotence (ProducerPerformance).
import { log } from '../lib/workspace.mjs';
import { findPgBinary, findPgRecvlogical, runTimed, sleep } from './util.mjs';

const RECVLOGICAL_TIMEOUT_MS = 15 * 60_000;
const PRODUCER_PERF_TIMEOUT_MS = 15 * 60_000;
const COPY_TIMEOUT_MS = 15 * 60_000;

const quoteIdent = (name) => `"${name.replace(/"/g, '""')}"`;

/**
 * A pgoutput slot and a publication for the benchmark table, created before the load so that the
 * slot sees the same WAL as the task. The publication comes first: pgoutput looks it up as of
 * each change it decodes. Resolves the LSN decoding will start from.
 */
export async function createCeilingSlot(source, { slot, publication, table }) {
  await source.query(`CREATE PUBLICATION ${quoteIdent(publication)} FOR TABLE ${table}`);
  const { rows } = await source.query(
    "SELECT lsn::text AS lsn FROM pg_create_logical_replication_slot($1, 'pgoutput')",
    [slot],
  );
  return rows[0].lsn;
}

/** Drops the slot (once nothing reads from it any more) and the publication; harmless when gone. */
export async function dropSlotAndPublication(source, { slot, publication }) {
  for (let attempt = 0; ; attempt++) {
    const { rows } = await source.query('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    if (!rows.length) break;
    if (rows[0].active_pid === null) {
      await source.query('SELECT pg_drop_replication_slot($1)', [slot]);
      break;
    }
    if (attempt >= 100) throw new Error(`replication slot ${slot} is still in use by pid ${rows[0].active_pid}`);
    await sleep(200);
  }
  await source.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(publication)}`);
}

/**
 * Decodes the slot up to `endLsn` into /dev/null and times it; pg_recvlogical exits by itself at
 * --endpos. The rate is the benchmark's rows over that time: the WAL holds those rows and
 * little else, so it is what decoding alone achieves for this load.
 */
export async function measureDecoding({ postgres, database, slot, publication, startLsn, endLsn, rows, source }) {
  const binary = findPgRecvlogical();
  const dsn = `host=${postgres.host} port=${postgres.port} user=${postgres.superuser.user} dbname=${database} application_name=walbridge-bench-recvlogical`;
  const args = ['-d', dsn, '--slot', slot, '--start', '-o', 'proto_version=1', '-o', `publication_names=${publication}`,
    '--endpos', endLsn, '--no-loop', '-f', '/dev/null'];
  log(`decoding ceiling: ${binary} ${args.join(' ')}`);
  const result = await runTimed(binary, args, {
    timeoutMs: RECVLOGICAL_TIMEOUT_MS,
    env: { ...process.env, PGPASSWORD: postgres.superuser.password },
  });
  if (result.code !== 0) throw new Error(`pg_recvlogical exited with ${result.code}: ${result.stderr.trim()}`);
  const { rows: [{ bytes }] } = await source.query('SELECT pg_wal_lsn_diff($1, $2)::bigint AS bytes', [endLsn, startLsn]);
  return {
    seconds: result.seconds,
    rowsPerSec: rows / result.seconds,
    walBytes: Number(bytes),
    walMbPerSec: Number(bytes) / 1024 / 1024 / result.seconds,
  };
}

/**
 * Kafka's own producer benchmark with Walbridge's producer settings (acks=all, idempotent) and
 * records the size of an average Walbridge message; resolves its final summary line, parsed.
 */
export async function measureProducer({ stack, topic, records, recordSize }) {
  const { kafka } = stack.stackConfig();
  const { command, args } = stack.kafkaToolCommand(
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic', topic, '--num-records', String(records), '--record-size', String(recordSize), '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${kafka.brokers}`, 'acks=all', 'enable.idempotence=true',
  );
  log(`producer ceiling: ProducerPerformance --topic ${topic} --num-records ${records} --record-size ${recordSize} --throughput -1 acks=all enable.idempotence=true`);
  const result = await runTimed(command, args, { timeoutMs: PRODUCER_PERF_TIMEOUT_MS });
  if (result.code !== 0) throw new Error(`ProducerPerformance exited with ${result.code}: ${(result.stderr || result.stdout).trim().slice(-2000)}`);
  // e.g. "1000000 records sent, 153846.2 records/sec (55.12 MB/sec), 310.5 ms avg latency, ..."
  const summary = result.stdout.trim().split('\n').filter((line) => / records sent, /.test(line)).pop();
  const match = summary && /^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency/.exec(summary);
  if (!match) throw new Error(`could not read ProducerPerformance's summary from:\n${result.stdout.slice(-2000)}`);
  return {
    records: Number(match[1]),
    recordSize,
    recordsPerSec: Number(match[2]),
    mbPerSec: Number(match[3]),
    avgLatencyMs: Number(match[4]),
    summary: summary.trim(),
  };
}

/**
 * The snapshot's reading ceiling: `COPY <table> TO STDOUT` of the whole table by psql into
 * /dev/null (psql's -o sends COPY's output there), as the demo user the task connects as; what
 * PostgreSQL can hand out of that table in text form over one connection.
 */
export async function measureCopy({ postgres, database, table, rows }) {
  const binary = findPgBinary('psql');
  const dsn = `host=${postgres.host} port=${postgres.port} user=${postgres.demo.user} dbname=${database} application_name=walbridge-bench-copy`;
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dsn, '-o', '/dev/null', '-c', `COPY ${table} TO STDOUT`];
  log(`reading ceiling: ${binary} -d '${dsn}' -o /dev/null -c 'COPY ${table} TO STDOUT'`);
  const result = await runTimed(binary, args, { timeoutMs: COPY_TIMEOUT_MS, env: { ...process.env, PGPASSWORD: postgres.demo.password } });
  if (result.code !== 0) throw new Error(`psql COPY exited with ${result.code}: ${result.stderr.trim()}`);
  return { seconds: result.seconds, rowsPerSec: rows / result.seconds };
}
