import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The architecture rules of ARCHITECTURE.md only hold if the linter refuses to break them.
describe('module boundaries', () => {
  const eslint = new ESLint({ cwd: process.cwd() });

  async function problems(filePath: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath });
    return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries' || m.ruleId === 'no-restricted-imports').map((m) => m.message);
  }

  it('keeps I/O and other libs out of the domain lib', async () => {
    const found = await problems('libs/domain/src/probe.ts', "import { Client } from 'pg';\nimport { TaskEntity } from '@walbridge/persistence';\nexport const x = [Client, TaskEntity];\n");
    expect(found).toHaveLength(2);
    expect(found.join('\n')).toMatch(/not allowed to import "pg"/);
  }, 60_000);

  it('keeps the vocabulary lib free of every import, and lets every project build from it', async () => {
    const found = await problems('libs/vocabulary/src/probe.ts', "import { z } from 'zod';\nimport { DomainError } from '@walbridge/domain';\nexport const x = [z, DomainError];\n");
    expect(found).toHaveLength(2);
    const use = "import { TASK_STATUSES } from '@walbridge/vocabulary';\nexport const x = TASK_STATUSES;\n";
    for (const file of ['libs/domain/src/probe.ts', 'libs/contracts/src/probe.ts', 'libs/queue/src/probe.ts', 'libs/persistence/src/probe.ts', 'libs/connectors/src/probe.ts', 'apps/api/src/probe.ts', 'apps/scheduler/src/probe.ts', 'apps/worker/src/probe.ts', 'apps/console/src/probe.ts', 'test/data-path/probe.e2e-spec.ts']) {
      expect(await problems(file, use), file).toEqual([]);
    }
  }, 120_000);

  it('keeps the worker away from the control plane libraries', async () => {
    const found = await problems('apps/worker/src/probe.ts', "import { TaskRepository } from '@walbridge/persistence';\nexport const x = TaskRepository;\n");
    expect(found).toHaveLength(1);
  }, 60_000);

  it('lets the worker use the connectors lib, which stays out of the control plane', async () => {
    expect(await problems('apps/worker/src/probe.ts', "import { pgClientConfig } from '@walbridge/connectors';\nexport const x = pgClientConfig;\n")).toEqual([]);
    const found = await problems('libs/connectors/src/probe.ts', "import { TaskRepository } from '@walbridge/persistence';\nimport { Queue } from 'bullmq';\nexport const x = [TaskRepository, Queue];\n");
    expect(found).toHaveLength(2);
  }, 60_000);

  it('lets the api use the libs the design gives it', async () => {
    const found = await problems('apps/api/src/probe.ts', "import { TaskRepository } from '@walbridge/persistence';\nimport { assertAllowed } from '@walbridge/domain';\nexport const x = [TaskRepository, assertAllowed];\n");
    expect(found).toEqual([]);
  }, 60_000);

  it('keeps the api from connecting to sources, Kafka or mail servers itself (the scheduler does)', async () => {
    const found = await problems(
      'apps/api/src/probe.ts',
      "import { Kafka } from 'kafkajs';\nimport { spawn } from 'node:child_process';\nimport { pgClientConfig } from '@walbridge/connectors';\nexport const x = [Kafka, spawn, pgClientConfig];\n",
    );
    expect(found).toHaveLength(3);
    expect(await problems('apps/scheduler/src/probe.ts', "import { pgClientConfig } from '@walbridge/connectors';\nexport const x = pgClientConfig;\n")).toEqual([]);
  }, 60_000);

  it('keeps system tests outside the product: no entities, no Nest modules', async () => {
    const found = await problems('test/data-path/probe.e2e-spec.ts', "import { TaskRepository } from '@walbridge/persistence';\nimport { Module } from '@nestjs/common';\nexport const x = [TaskRepository, Module];\n");
    expect(found).toHaveLength(2);
    expect(await problems('test/data-path/probe.e2e-spec.ts', "import { ApiClient } from '@walbridge/testing';\nexport const x = ApiClient;\n")).toEqual([]);
  }, 60_000);
});
