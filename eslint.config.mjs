import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// The architecture of PRODUCT.md §1, enforced: the console sees only contracts, the domain lib
// sees nothing with I/O, the worker owns the data path without the control plane's libraries.
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
          allow: [],
          depConstraints: [
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: [], bannedExternalImports: IO_PACKAGES },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [], bannedExternalImports: IO_PACKAGES },
            { sourceTag: 'type:config', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:queue', onlyDependOnLibsWithTags: ['type:contracts'], bannedExternalImports: IO_PACKAGES },
            { sourceTag: 'type:persistence', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain'] },
            { sourceTag: 'type:nest', onlyDependOnLibsWithTags: ['type:config', 'type:persistence', 'type:queue'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:config'] },
            { sourceTag: 'type:migrations', onlyDependOnLibsWithTags: ['type:persistence', 'type:config'] },
            // Source and Kafka clients for the worker's data path and the scheduler's probes.
            { sourceTag: 'type:connectors', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'], bannedExternalImports: ['typeorm', '@nestjs/*', 'bullmq', 'ioredis'] },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:config', 'type:queue', 'type:persistence', 'type:nest', 'type:worker', 'type:connectors'],
            },
            {
              sourceTag: 'type:worker',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:queue', 'type:connectors'],
              bannedExternalImports: ['typeorm', '@nestjs/*', 'bullmq', 'ioredis'],
            },
            { sourceTag: 'type:console', onlyDependOnLibsWithTags: ['type:contracts'], bannedExternalImports: IO_PACKAGES },
          ],
        },
      ],
    },
  },
);
