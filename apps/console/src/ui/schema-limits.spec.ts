import { describe, expect, it } from 'vitest';
import { alarmsSchema, retrySchema, throttleSchema } from '@walbridge/contracts';
import { fieldSchema, numberInputProps, numberLimits, rangeHint } from './schema-limits';

describe('number limits read from the contracts', () => {
  const cases = [
    { schema: alarmsSchema, field: 'delayThresholdSeconds', limits: { min: 0, max: 3600, integer: true, defaultValue: 0 } },
    { schema: alarmsSchema, field: 'walRetentionLimitMb', limits: { min: 0, max: 10_485_760, integer: true, defaultValue: undefined } },
    { schema: retrySchema, field: 'otherMinutes', limits: { min: 1, max: 1440, integer: true, defaultValue: 10 } },
    { schema: throttleSchema, field: 'mbPerSecond', limits: { min: 0.1, max: 10_000, integer: false, defaultValue: undefined } },
  ];
  for (const { schema, field, limits } of cases) {
    it(`${field}: ${JSON.stringify(limits)}`, () => {
      expect(numberLimits(fieldSchema(schema, field))).toEqual(limits);
    });
  }

  it('says the range and the default, and gives the input the same bounds', () => {
    const retry = numberLimits(fieldSchema(retrySchema, 'otherMinutes'));
    expect(rangeHint(retry)).toMatch(/^1–1,?440, default 10$/);
    expect(rangeHint({ min: 1, integer: true })).toBe('at least 1');
    expect(numberInputProps(numberLimits(fieldSchema(throttleSchema, 'mbPerSecond')))).toEqual({ min: 0.1, max: 10_000, step: 'any' });
  });

  it('refuses what is not a number', () => {
    expect(() => numberLimits(fieldSchema(alarmsSchema, 'notify'))).toThrow(/not a number/);
    expect(() => fieldSchema(alarmsSchema, 'nothing')).toThrow(/no field nothing/);
  });
});
