#!/usr/bin/env node
// Builds tools/java/flink-decoder (Flink's debezium-json and canal-json deserializers behind a
// stdin/stdout program) once and caches it (tools/java/maven-tool.mjs; WALBRIDGE_FLINK_DECODER_DIR
// overrides the place).
//
//   node tools/java/flink-decoder.mjs               build if needed, print the classpath
//   import { ensureFlinkDecoder } from '...'        the same from a script (tools/test.mjs)
import { ensureMavenTool, mavenToolDir } from './maven-tool.mjs';
import { printWhenRun } from '../lib/workspace.mjs';

export const FLINK_DECODER_MAIN = 'dev.walbridge.tools.FlinkChangelogDecoder';
export const flinkDecoderDir = () => mavenToolDir('flink-decoder', process.env.WALBRIDGE_FLINK_DECODER_DIR);
export const ensureFlinkDecoder = ({ log } = {}) => ensureMavenTool('flink-decoder', { log, dir: flinkDecoderDir() });

printWhenRun(import.meta.url, ensureFlinkDecoder);
