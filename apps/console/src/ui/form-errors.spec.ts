import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-client';
import { applyApiErrors, firstMessage, inFieldWords } from './form-errors';

describe('form errors', () => {
  it.each([
    ['a field of its own', { type: 'server', message: 'port must be 1-65535' }, 'port must be 1-65535'],
    ['a list checked element by element (brokers.0)', [undefined, { type: 'custom', message: 'each broker is host:port' }], 'each broker is host:port'],
    ['a row, by its cells (tables.0.filter)', { filter: { type: 'custom', message: 'filter is not valid SQL' } }, 'filter is not valid SQL'],
    ['nothing', undefined, undefined],
  ])('finds the first message of %s', (_what, error, expected) => {
    expect(firstMessage(error as never)).toBe(expected);
  });

  it.each([
    ['at is required when mode is at', 'start.at', 'Start at', 'Start at is required'],
    ['delayThresholdSeconds must be 0-3600', 'alarms.delayThresholdSeconds', 'Delay threshold', 'Delay threshold must be 0-3600'],
    ['each broker is host:port', 'brokers.0', 'Brokers', 'each broker is host:port'],
  ])('says "%s" next to %s in its label\'s words', (message, path, label, expected) => {
    expect(inFieldWords(message, path, label)).toBe(expected);
  });

  it("puts a 400's details next to the fields shown, and returns the others", () => {
    const placed: [string, string | undefined][] = [];
    const error = new ApiError({
      statusCode: 400,
      error: 'Bad Request',
      message: 'invalid',
      details: [
        { field: 'policy.topicPolicy.topic', message: 'topic is required' },
        { field: 'source.port', message: 'port must be 1-65535' },
      ],
    });
    const unplaced = applyApiErrors(error, ((path: string, e: { message?: string }) => placed.push([path, e.message])) as never, (p) => p.startsWith('topicPolicy'), 'policy.');
    expect(placed).toEqual([['topicPolicy.topic', 'topic is required']]);
    expect(unplaced).toEqual([{ field: 'source.port', message: 'port must be 1-65535' }]);
    expect(applyApiErrors(new ApiError({ statusCode: 409, error: 'Conflict', message: 'no' }), (() => undefined) as never, () => true)).toEqual([]);
  });
});
