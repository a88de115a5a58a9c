#!/usr/bin/env node
// Builds tools/java/avro-consumer (a Kafka consumer with Apicurio Registry's Avro deserializer)
// once and caches it (tools/java/maven-tool.mjs).
//
//   node tools/java/avro-consumer.mjs               build if needed, print the classpath
import { fileURLToPath } from 'node:url';
import { ensureMavenTool } from './maven-tool.mjs';

export const AVRO_CONSUMER_MAIN = 'dev.walbridge.tools.AvroRegistryConsumer';
export const ensureAvroConsumer = ({ log } = {}) => ensureMavenTool('avro-consumer', { log });

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    console.log(ensureAvroConsumer());
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
