import { describe, expect, it } from 'vitest';
import { BatchTooLargeError, UnknownTopicError, isUnknownTopic, sendFailure } from './sink-errors';

/** How @platformatic/kafka reports a broker's answer: layers of "Producing messages failed." around it. */
const platformatic = (apiId: string, message: string) =>
  Object.assign(new Error('Producing messages failed.'), { errors: [Object.assign(new Error(message), { apiId })] });
/** How kafkajs does: the protocol error, wrapped. */
const kafkajs = (type: string, message: string) => Object.assign(new Error('wrapped'), { cause: Object.assign(new Error(message), { type }) });

describe('sendFailure', () => {
  it.each([
    ['a batch above max.message.bytes', platformatic('MESSAGE_TOO_LARGE', 'too large'), BatchTooLargeError, 'too large'],
    ['a record list above the limit', kafkajs('RECORD_LIST_TOO_LARGE', 'list too large'), BatchTooLargeError, 'list too large'],
    ['a deleted topic', platformatic('UNKNOWN_TOPIC_OR_PARTITION', 'unknown topic'), UnknownTopicError, 'unknown topic'],
    // What the producer says when its metadata request finds the topic gone (no broker code kept).
    ['a deleted topic, as the producer says it', Object.assign(new Error('Unknown topic orders.'), { code: 'PLT_KFK_USER' }), UnknownTopicError, 'Unknown topic orders.'],
    ['anything else', platformatic('NOT_ENOUGH_REPLICAS', 'not enough replicas'), Error, 'not enough replicas'],
  ] as const)('%s', (_, error, type, message) => {
    const failure = sendFailure(error);
    expect(failure).toBeInstanceOf(type);
    // What the broker said, without the client's wrapping; the client's error stays the cause.
    expect(failure.message).toBe(message);
    expect(failure.cause).toBe(error);
  });

  it('does not mark other failures as too large or unknown topic', () => {
    const failure = sendFailure(new Error('connect ECONNREFUSED 127.0.0.1:9092'));
    expect(failure).not.toBeInstanceOf(BatchTooLargeError);
    expect(failure).not.toBeInstanceOf(UnknownTopicError);
  });
});

describe('isUnknownTopic', () => {
  it.each([
    ['the sink error, wrapped by the pipeline', new Error('Kafka did not acknowledge a batch', { cause: new UnknownTopicError('x') }), true],
    ['kafkajs admin metadata of a deleted topic', Object.assign(new Error('x'), { name: 'KafkaJSTopicMetadataNotLoaded' }), true],
    ['a broker error code', kafkajs('UNKNOWN_TOPIC_OR_PARTITION', 'x'), true],
    ['a connection error', new Error('connect ECONNREFUSED'), false],
  ] as const)('%s: %s', (_, error, expected) => {
    expect(isUnknownTopic(error)).toBe(expected);
  });
});
