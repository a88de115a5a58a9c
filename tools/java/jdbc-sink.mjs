#!/usr/bin/env node
// Fetches tools/java/jdbc-sink (a Kafka Connect standalone worker, Debezium's JDBC sink connector
// and PostgreSQL's JDBC driver, all from Maven Central) once and caches it (tools/java/maven-tool.mjs; WALBRIDGE_JDBC_SINK_DIR
// overrides the place).
//
//   node tools/java/jdbc-sink.mjs               build if needed, print the classpath
//   import { ensureJdbcSink } from '...'        the same from a script (tools/test.mjs)
import { ensureMavenTool, mavenToolDir } from './maven-tool.mjs';
import { printWhenRun } from '../lib/workspace.mjs';

export const JDBC_SINK_MAIN = 'org.apache.kafka.connect.cli.ConnectStandalone';
export const jdbcSinkDir = () => mavenToolDir('jdbc-sink', process.env.WALBRIDGE_JDBC_SINK_DIR);
export const ensureJdbcSink = ({ log } = {}) => ensureMavenTool('jdbc-sink', { log, dir: jdbcSinkDir() });

printWhenRun(import.meta.url, ensureJdbcSink);
