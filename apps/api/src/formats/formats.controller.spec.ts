import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVELOPE_AVRO_SCHEMA } from '@walbridge/contracts';
import { FormatsController } from './formats.controller';

describe('GET /formats/avro-schema', () => {
  it('serves exactly the schema file kept in the repository', () => {
    const file = JSON.parse(readFileSync(join(__dirname, '../../../../libs/contracts/src/avro/walbridge-envelope.avsc'), 'utf8'));
    expect(new FormatsController().avroSchema()).toEqual(file);
    expect(ENVELOPE_AVRO_SCHEMA).toEqual(file);
  });
});
