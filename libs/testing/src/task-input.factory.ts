import type { CreateTaskInput } from '@walbridge/contracts';
import { uniqueName } from './source-db';
import { testEnv } from './test-env';

/**
 * Factories for what a test sends the API (after Immich's test factories): the stack's demo
 * database and broker as a user would configure them, with only what a test is about overridden.
 */

export type SourceInput = CreateTaskInput['source'];
export type DestinationInput = CreateTaskInput['destination'];
export type PolicyInput = CreateTaskInput['policy'];

/** The demo source database, as the task's role (`demo`, LOGIN REPLICATION) logs in. */
export function demoSource(overrides: Partial<SourceInput> = {}): SourceInput {
  return {
    host: testEnv.pgHost,
    port: testEnv.pgPort,
    database: testEnv.sourceDatabase,
    username: testEnv.sourceUser,
    password: testEnv.sourcePassword,
    ...overrides,
  };
}

/** The shared stack's Kafka (PLAINTEXT). */
export function demoDestination(overrides: Partial<DestinationInput> = {}): DestinationInput {
  return { brokers: testEnv.kafkaBrokers.join(','), ...overrides };
}

/** A table-level policy: `shop.orders` into the topic `walbridge-demo`. */
export function demoPolicy(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return { tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic: 'walbridge-demo' }, ...overrides } as PolicyInput;
}

/**
 * A valid task: a unique name, the demo source and destination and demoPolicy(); each top-level
 * field given replaces the default (merge a part with demoSource({...}) and its siblings).
 */
export function taskInput(overrides: Partial<CreateTaskInput> = {}): CreateTaskInput {
  return {
    name: uniqueName('task').replace(/_/g, '-'),
    source: demoSource(),
    destination: demoDestination(),
    policy: demoPolicy(),
    ...overrides,
  };
}
