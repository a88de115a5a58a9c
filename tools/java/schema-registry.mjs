#!/usr/bin/env node
// A real schema registry for the avro-registry tests: Apicurio Registry 2.6.13.Final
// (io.apicurio:apicurio-registry-app, classifier all, tar.gz) fetched from Maven Central by Maven
// once and cached in ~/.cache/walbridge/apicurio-registry-2.6.13.Final/, like Kafka's jars.
// In-memory storage; Confluent's API under /apis/ccompat/v7.
//
//   node tools/java/schema-registry.mjs [port]        fetch if needed, run in the foreground
//   import { ensureSchemaRegistry, startSchemaRegistry } from '...'   (tools/test.mjs)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APICURIO_VERSION = '2.6.13.Final';

export function schemaRegistryDir() {
  const cache = process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache');
  return join(cache, 'walbridge', `apicurio-registry-${APICURIO_VERSION}`);
}

const runnerOf = (dir) => join(dir, `apicurio-registry-app-${APICURIO_VERSION}-runner.jar`);

/** Fetches and unpacks the registry unless the cache has it; returns its runner jar. */
export function ensureSchemaRegistry({ log = (m) => console.error(m) } = {}) {
  const dir = schemaRegistryDir();
  if (existsSync(runnerOf(dir))) return runnerOf(dir);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  log(`schema-registry: fetching Apicurio Registry ${APICURIO_VERSION} with Maven (first run only)`);
  const r = spawnSync(
    'mvn',
    ['-q', '-B', 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy', `-Dartifact=io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all`, `-DoutputDirectory=${tmp}`],
    { encoding: 'utf8', timeout: 20 * 60_000 },
  );
  const archive = readdirSync(tmp).find((f) => f.endsWith('.tar.gz'));
  if (r.error || r.status !== 0 || !archive) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`Maven could not fetch Apicurio Registry (exit ${r.status}): ${`${r.stdout ?? ''}${r.stderr ?? r.error?.message ?? ''}`.trim().split('\n').slice(-10).join('\n')}`);
  }
  const untar = spawnSync('tar', ['xzf', join(tmp, archive), '-C', tmp], { encoding: 'utf8' });
  rmSync(join(tmp, archive), { force: true });
  if (untar.status !== 0 || !existsSync(runnerOf(tmp))) throw new Error(`could not unpack Apicurio Registry: ${untar.stderr}`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return runnerOf(dir);
}

/** Starts the registry on `port`; resolves with its Confluent API URL and the child once it answers. */
export async function startSchemaRegistry(port, { log = (m) => console.error(m), logFile } = {}) {
  const jar = ensureSchemaRegistry({ log });
  const child = spawn('java', ['-Xmx256m', '-XX:TieredStopAtLevel=1', `-Dquarkus.http.port=${port}`, '-jar', jar], {
    stdio: ['ignore', logFile ?? 'ignore', logFile ?? 'ignore'],
  });
  const url = `http://127.0.0.1:${port}/apis/ccompat/v7`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Apicurio Registry exited (${child.exitCode}) before it answered`);
    const ok = await fetch(`${url}/subjects`).then((r) => r.ok, () => false);
    if (ok) return { url, child };
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill('SIGKILL');
  throw new Error('Apicurio Registry did not answer within 90 s');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = Number(process.argv[2] ?? 58790);
  startSchemaRegistry(port, { logFile: 'inherit' }).then(
    ({ url }) => console.log(url),
    (error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
