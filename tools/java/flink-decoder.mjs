#!/usr/bin/env node
// Builds tools/java/flink-decoder (a Maven project: Flink's debezium-json and canal-json
// deserializers behind a stdin/stdout program) once and caches it, like tools/stack caches
// Kafka's jars: ~/.cache/walbridge/flink-decoder-<hash of its sources>/ (or
// WALBRIDGE_FLINK_DECODER_DIR). Maven fetches Flink from Maven Central on the first build.
//
//   node tools/java/flink-decoder.mjs               build if needed, print the classpath
//   import { ensureFlinkDecoder } from '...'        the same from a script (tools/test.mjs)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT = join(dirname(fileURLToPath(import.meta.url)), 'flink-decoder');
export const FLINK_DECODER_MAIN = 'dev.walbridge.tools.FlinkChangelogDecoder';

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'target') return [];
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Where the build for the current sources lives: a change to the pom or a source file builds anew. */
export function flinkDecoderDir() {
  if (process.env.WALBRIDGE_FLINK_DECODER_DIR) return process.env.WALBRIDGE_FLINK_DECODER_DIR;
  const hash = createHash('sha256');
  for (const f of files(PROJECT).sort()) hash.update(relative(PROJECT, f)).update('\0').update(readFileSync(f)).update('\0');
  const cache = process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache');
  return join(cache, 'walbridge', `flink-decoder-${hash.digest('hex').slice(0, 12)}`);
}

const classpathOf = (dir) => `${join(dir, 'flink-decoder.jar')}:${join(dir, 'libs', '*')}`;

/** Builds the decoder unless the cache has it; returns the java classpath. */
export function ensureFlinkDecoder({ log = (m) => console.error(m) } = {}) {
  const dir = flinkDecoderDir();
  if (existsSync(join(dir, 'flink-decoder.jar'))) return classpathOf(dir);
  const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (mvn.error || mvn.status !== 0) {
    throw new Error('`mvn` was not found in PATH and the Flink decoder is not built yet: install the Debian packages `maven` and `openjdk-17-jdk-headless`');
  }
  const t0 = Date.now();
  log(`flink-decoder: building with Maven into ${dir} (first run only: fetches Flink from Maven Central)`);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const r = spawnSync(
    'mvn',
    ['-q', '-B', '-f', join(PROJECT, 'pom.xml'), 'package', 'dependency:copy-dependencies', '-DincludeScope=runtime',
      `-Ddecoder.buildDir=${join(tmp, 'build')}`, `-DoutputDirectory=${join(tmp, 'libs')}`],
    { encoding: 'utf8', cwd: PROJECT, timeout: 20 * 60_000 },
  );
  const jar = join(tmp, 'build', 'flink-decoder-1.0.0.jar');
  if (r.status !== 0 || !existsSync(jar)) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`Maven could not build the Flink decoder (exit ${r.status}):\n${`${r.stdout}${r.stderr}`.trim().split('\n').slice(-30).join('\n')}`);
  }
  renameSync(jar, join(tmp, 'flink-decoder.jar'));
  rmSync(join(tmp, 'build'), { recursive: true, force: true });
  writeFileSync(join(tmp, 'walbridge-flink-decoder.txt'), `built by tools/java/flink-decoder.mjs on ${new Date().toISOString()}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  log(`flink-decoder: built (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  return classpathOf(dir);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    console.log(ensureFlinkDecoder());
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
