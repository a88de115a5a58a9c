#!/usr/bin/env node
// Builds tools/java/avro-consumer (a Kafka consumer with Apicurio Registry's Avro deserializer)
// once and caches it (tools/java/maven-tool.mjs).
//
//   node tools/java/avro-consumer.mjs               build if needed, print the classpath
import { ensureMavenTool } from './maven-tool.mjs';
import { printWhenRun } from '../lib/workspace.mjs';

export const AVRO_CONSUMER_MAIN = 'dev.walbridge.tools.AvroRegistryConsumer';
export const ensureAvroConsumer = ({ log } = {}) => ensureMavenTool('avro-consumer', { log });

printWhenRun(import.meta.url, ensureAvroConsumer);
