// Builds a Maven project of tools/java (a small Java program over libraries nobody here wrote:
// Flink's deserializers, Apicurio's Avro serde) once and caches it, like tools/stack caches
// Kafka's jars: ~/.cache/walbridge/<name>-<hash of its sources>/. Maven fetches the libraries
// from Maven Central on the first build. Each pom builds into ${tool.buildDir}.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'target') return [];
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Where the build for the current sources lives: a change to the pom or a source file builds anew. */
export function mavenToolDir(name, override) {
  if (override) return override;
  const PROJECT = join(HERE, name);
  const hash = createHash('sha256');
  for (const f of files(PROJECT).sort()) hash.update(relative(PROJECT, f)).update('\0').update(readFileSync(f)).update('\0');
  const cache = process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache');
  return join(cache, 'walbridge', `${name}-${hash.digest('hex').slice(0, 12)}`);
}

const classpathOf = (dir, name) => `${join(dir, `${name}.jar`)}:${join(dir, 'libs', '*')}`;

/** Builds tools/java/<name> unless the cache has it; returns the java classpath. */
export function ensureMavenTool(name, { log = (m) => console.error(m), dir = mavenToolDir(name) } = {}) {
  const PROJECT = join(HERE, name);
  if (existsSync(join(dir, `${name}.jar`))) return classpathOf(dir, name);
  const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (mvn.error || mvn.status !== 0) {
    throw new Error('`mvn` was not found in PATH and tools/java/${name} is not built yet: install the Debian packages `maven` and `openjdk-17-jdk-headless`');
  }
  const t0 = Date.now();
  log(`${name}: building with Maven into ${dir} (first run only: fetches its dependencies from Maven Central)`);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const r = spawnSync(
    'mvn',
    ['-q', '-B', '-f', join(PROJECT, 'pom.xml'), 'package', 'dependency:copy-dependencies', '-DincludeScope=runtime',
      `-Dtool.buildDir=${join(tmp, 'build')}`, `-DoutputDirectory=${join(tmp, 'libs')}`],
    { encoding: 'utf8', cwd: PROJECT, timeout: 20 * 60_000 },
  );
  const jar = join(tmp, 'build', `${name}-1.0.0.jar`);
  if (r.status !== 0 || !existsSync(jar)) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`Maven could not build tools/java/${name} (exit ${r.status}):\n${`${r.stdout}${r.stderr}`.trim().split('\n').slice(-30).join('\n')}`);
  }
  renameSync(jar, join(tmp, `${name}.jar`));
  rmSync(join(tmp, 'build'), { recursive: true, force: true });
  writeFileSync(join(tmp, `walbridge-${name}.txt`), `built by tools/java/maven-tool.mjs on ${new Date().toISOString()}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  log(`${name}: built (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  return classpathOf(dir, name);
}
