import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, killOnExit } from './processes';
import { REPO_ROOT, testEnv } from './test-env';

let classpath: string | undefined;

/** The worker's classpath; fetches it with Maven when the cache lacks it (npm test fetches it up front). */
function jdbcSinkClasspath(): string {
  if (classpath) return classpath;
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'tools', 'java', 'jdbc-sink.mjs')], { encoding: 'utf8', timeout: 20 * 60_000 });
  if (r.status !== 0) throw new Error(`the Kafka Connect worker with Debezium's JDBC sink could not be fetched: ${r.stderr.trim()}`);
  classpath = r.stdout.trim();
  return classpath;
}

export interface JdbcSink {
  /** The worker's log (Connect's and the connector's), for a failure's message. */
  logFile: string;
  stop(): Promise<void>;
}

const properties = (entries: Record<string, string>) =>
  Object.entries(entries)
    .map(([k, v]) => `${k}=${v.replace(/\\/g, '\\\\')}`)
    .join('\n') + '\n';

/**
 * A stock Kafka Connect standalone worker (tools/java/jdbc-sink) running Debezium's JDBC sink
 * connector over `topic` into `database` on the test cluster. `connector` adds or overrides the
 * connector's settings. Messages are read with Connect's JsonConverter, schemas enabled: the sink
 * needs each field's type, which debezium-json sends with `formatOptions.includeSchema`.
 */
export async function startJdbcSink(options: { name: string; topic: string; database: string; jdbcParameters?: string; connector?: Record<string, string> }): Promise<JdbcSink> {
  const dir = mkdtempSync(join(tmpdir(), 'walbridge-jdbc-sink-'));
  mkdirSync(testEnv.logDir, { recursive: true });
  const logFile = join(testEnv.logDir, `jdbc-sink-${options.name}.log`);
  writeFileSync(
    join(dir, 'worker.properties'),
    properties({
      'bootstrap.servers': testEnv.kafkaBrokers.join(','),
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': 'true',
      'value.converter.schemas.enable': 'true',
      'offset.storage.file.filename': join(dir, 'offsets'),
      listeners: `http://127.0.0.1:${await freePort()}`,
      // the connector is on the classpath: no plugin directories to scan
      'plugin.discovery': 'only_scan',
    }),
  );
  writeFileSync(
    join(dir, 'connector.properties'),
    properties({
      name: options.name,
      'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
      'tasks.max': '1',
      topics: options.topic,
      'connection.url': `jdbc:postgresql://${testEnv.pgHost}:${testEnv.pgPort}/${options.database}${options.jdbcParameters ? `?${options.jdbcParameters}` : ''}`,
      'connection.username': testEnv.pgAdminUser,
      'connection.password': testEnv.pgAdminPassword,
      ...options.connector,
    }),
  );
  writeFileSync(
    join(dir, 'log4j.properties'),
    properties({
      'log4j.rootLogger': 'INFO, file',
      'log4j.appender.file': 'org.apache.log4j.FileAppender',
      'log4j.appender.file.File': logFile,
      'log4j.appender.file.layout': 'org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern': '[%d] %p %m (%c)%n',
      'log4j.logger.org.apache.kafka.clients': 'WARN',
      'log4j.logger.org.reflections': 'ERROR',
    }),
  );
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    'java',
    ['-Xmx512m', `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`, '-cp', jdbcSinkClasspath(), 'org.apache.kafka.connect.cli.ConnectStandalone', join(dir, 'worker.properties'), join(dir, 'connector.properties')],
    { stdio: ['ignore', out, out] },
  );
  killOnExit(child);
  return {
    logFile,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
