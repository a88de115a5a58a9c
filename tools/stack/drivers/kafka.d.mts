// Types of kafka.mjs for the TypeScript test helpers (libs/testing).
import type { ChildProcess } from 'node:child_process';

export interface KafkaListenerConfig {
  name: string;
  protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  port: number;
}
export interface KafkaScramUser {
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  password: string;
}
export interface KafkaConfig {
  host: string;
  port: number;
  controllerPort: number;
  brokers: string;
  dir: string;
  dataDir: string;
  logDir: string;
  logFile: string;
  stdoutFile: string;
  configFile: string;
  pidFile: string;
  libsDir: string;
  classpath: string;
  listeners?: KafkaListenerConfig[];
  properties?: Record<string, string>;
  jvmOpts?: string[];
  scram?: KafkaScramUser[];
}
export interface KafkaTools {
  java: string;
  mvn?: string | null;
}
type Log = (line: string) => void;
export function defaultKafkaLibsDir(version?: string): string;
export function kafkaBrokerConfig(options: {
  dir: string;
  port: number;
  controllerPort: number;
  host?: string;
  listeners?: KafkaListenerConfig[];
  properties?: Record<string, string>;
  jvmOpts?: string[];
  scram?: KafkaScramUser[];
}): KafkaConfig;
export function kafkaPrerequisites(kafka: KafkaConfig): Promise<{ found: { java: string | null; mvn?: string | null }; missing: string[] }>;
export function kafkaUp(kafka: KafkaConfig, tools: KafkaTools, log?: Log, options?: { detached?: boolean; timeoutMs?: number }): Promise<{ pid: number; child: ChildProcess | null }>;
export function kafkaDown(kafka: KafkaConfig, log?: Log, options?: { stopTimeoutMs?: number }): Promise<boolean>;
export function kafkaReady(port: number, host?: string): Promise<boolean>;
export const STACK_BROKER_PROPERTIES: Readonly<Record<string, string>>;
export function kafkaProperties(kafka: KafkaConfig): Record<string, string>;
