import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './test-env';

/** One record as Apicurio's Avro deserializer read it (tools/java/avro-consumer). */
export interface AvroConsumed {
  partition: number;
  key: Record<string, unknown> | null;
  value: Record<string, unknown> | null;
}

let classpath: string | undefined;

function avroConsumerClasspath(): string {
  if (classpath) return classpath;
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'tools', 'java', 'avro-consumer.mjs')], { encoding: 'utf8', timeout: 20 * 60_000 });
  if (r.status !== 0) throw new Error(`the Avro consumer could not be built: ${r.stderr.trim()}`);
  classpath = r.stdout.trim();
  return classpath;
}

/** The registry a test's avro-registry tasks use (started by tools/test.mjs): Confluent's API and Apicurio's own. */
export function testSchemaRegistry(): { url: string; nativeUrl: string } {
  const url = process.env.WALBRIDGE_TEST_SCHEMA_REGISTRY_URL;
  if (!url) throw new Error('WALBRIDGE_TEST_SCHEMA_REGISTRY_URL is not set: tools/test.mjs starts Apicurio Registry and sets it');
  return { url, nativeUrl: url.replace(/\/ccompat\/v7$/, '/registry/v2') };
}

/** Reads `count` records of the topic from its beginning with Apicurio's AvroKafkaDeserializer (a Kafka consumer in Java). */
export function consumeWithApicurio(brokers: string, topic: string, count: number): AvroConsumed[] {
  const args = ['-cp', avroConsumerClasspath(), 'dev.walbridge.tools.AvroRegistryConsumer', brokers, topic, testSchemaRegistry().nativeUrl, String(count), '60000'];
  const r = spawnSync('java', args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`Apicurio's Avro consumer failed (exit ${r.status}): ${r.stderr.trim().slice(-2000)}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as AvroConsumed);
}
