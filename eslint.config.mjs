import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// The architecture of PRODUCT.md §1, enforced: the console sees only contracts, the domain lib
// sees nothing with I/O, the worker owns the data path without the control plane's libraries.
const API_BANNED = ['kafkajs', '@platformatic/kafka', 'pg-logical-replication', 'nodemailer', 'node:child_process', 'child_process', 'node:net', 'net'];
const IO_PACKAGES = ['pg', 'pg-logical-replication', 'kafkajs', 'typeorm', 'ioredis', 'bullmq', '@nestjs/*', 'express', 'node:fs', 'fs', 'node:net', 'net', 'node:http', 'http', 'node:child_process', 'child_process'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.stack/**', '.nx/**', 'docker/**', '**/vite.config.ts', 'test-results/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // The test helpers start servers with the local stack's drivers (plain ESM under tools/,
          // no Nx project): the one way to start PostgreSQL, Redis and Kafka (ARCHITECTURE.md).
          allow: ['../../../tools/stack/drivers/*'],
          depConstraints: [
            // The product's words (ARCHITECTURE.md, "One vocabulary"): plain lists, no imports at
            // all, so every project may build from them.
            { sourceTag: 'type:vocabulary', onlyDependOnLibsWithTags: [], bannedExternalImports: ['*'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:vocabulary'], bannedExternalImports: IO_PACKAGES },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:vocabulary'], bannedExternalImports: IO_PACKAGES },
            { sourceTag: 'type:config', onlyDependOnLibsWithTags: ['type:vocabulary'] },
            { sourceTag: 'type:queue', onlyDependOnLibsWithTags: ['type:vocabulary', 'type:contracts'], bannedExternalImports: IO_PACKAGES },
            { sourceTag: 'type:persistence', onlyDependOnLibsWithTags: ['type:vocabulary', 'type:contracts', 'type:domain'] },
            { sourceTag: 'type:nest', onlyDependOnLibsWithTags: ['type:vocabulary', 'type:config', 'type:persistence', 'type:queue'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:vocabulary', 'type:contracts', 'type:domain', 'type:config'] },
            { sourceTag: 'type:migrations', onlyDependOnLibsWithTags: ['type:vocabulary', 'type:persistence', 'type:config'] },
            // Source and Kafka clients for the worker's data path and the scheduler's probes.
            { sourceTag: 'type:connectors', onlyDependOnLibsWithTags: ['type:vocabulary', 'type:domain', 'type:contracts'], bannedExternalImports: ['typeorm', '@nestjs/*', 'bullmq', 'ioredis'] },
            // The api only stores and enqueues (ARCHITECTURE.md): it never connects to a source
            // database, to Kafka or to a mail server, and never starts processes. Its one `pg`
            // import is the LISTEN connection to the metadata database.
            {
              sourceTag: 'type:api',
              onlyDependOnLibsWithTags: ['type:vocabulary', 'type:domain', 'type:contracts', 'type:config', 'type:queue', 'type:persistence', 'type:nest'],
              bannedExternalImports: API_BANNED,
            },
            // The scheduler owns the worker processes and runs the probes (connectors).
            {
              sourceTag: 'type:scheduler',
              onlyDependOnLibsWithTags: ['type:vocabulary', 'type:domain', 'type:contracts', 'type:config', 'type:queue', 'type:persistence', 'type:nest', 'type:connectors'],
              bannedExternalImports: ['pg-logical-replication', '@platformatic/kafka'],
            },
            // System tests drive the product from outside: through the API, SQL and Kafka, never
            // through its entities or Nest modules.
            {
              sourceTag: 'type:test',
              onlyDependOnLibsWithTags: ['type:vocabulary', 'type:testing', 'type:contracts', 'type:domain', 'type:queue', 'type:connectors', 'type:config'],
              bannedExternalImports: ['@nestjs/*', 'typeorm'],
            },
            {
              sourceTag: 'type:worker',
              onlyDependOnLibsWithTags: ['type:vocabulary', 'type:domain', 'type:contracts', 'type:queue', 'type:connectors'],
              bannedExternalImports: ['typeorm', '@nestjs/*', 'bullmq', 'ioredis'],
            },
            { sourceTag: 'type:console', onlyDependOnLibsWithTags: ['type:vocabulary', 'type:contracts'], bannedExternalImports: IO_PACKAGES },
          ],
        },
      ],
    },
  },
  // Nx's bannedExternalImports does not see Node's built-in modules, so the same rules for them:
  // no files, sockets, HTTP or processes in the pure libs; no processes or raw sockets in the api.
  {
    files: ['libs/vocabulary/src/**/*.ts', 'libs/domain/src/**/*.ts', 'libs/contracts/src/**/*.ts', 'libs/queue/src/**/*.ts', 'apps/console/src/**/*.{ts,tsx}'],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: builtinBans(['fs', 'net', 'http', 'child_process'], 'this lib has no I/O (ARCHITECTURE.md, code map)') }] },
  },
  {
    files: ['apps/api/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: builtinBans(['net', 'child_process'], 'the api only stores and enqueues: sockets and processes belong to the scheduler') }] },
  },
);

function builtinBans(modules, message) {
  return modules.flatMap((name) => [{ name, message }, { name: `node:${name}`, message }]);
}
