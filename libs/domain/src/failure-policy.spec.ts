import { describe, expect, it } from 'vitest';
import { abnormalStopAt, classifyFailure, decideRetry, retryWindowMs } from './failure-policy';
import { DataException, NetworkFailure, OperatorActionNeeded, isRetryable } from './task-failure';

function errorWith(props: Record<string, unknown>, message = 'boom'): Error {
  return Object.assign(new Error(message), props);
}

describe('classifyFailure', () => {
  it('treats refused, reset and timed-out sockets as network failures', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']) {
      expect(classifyFailure(errorWith({ code })), code).toBe('network');
    }
  });

  it('treats PostgreSQL connection exceptions, shutdowns and start-ups as network failures', () => {
    for (const code of ['08006', '08001', '08P01', '57P01', '57P02', '57P03', '53300']) {
      expect(classifyFailure(errorWith({ code })), code).toBe('network');
    }
    expect(classifyFailure(new Error('Connection terminated unexpectedly'))).toBe('network');
    expect(classifyFailure(new Error('the database system is starting up'))).toBe('network');
  });

  it('treats a wrong password, a missing permission or a missing object as other failures', () => {
    expect(classifyFailure(errorWith({ code: '28P01' }, 'password authentication failed for user "demo"'))).toBe('other');
    expect(classifyFailure(errorWith({ code: '42501' }, 'permission denied for table orders'))).toBe('other');
    expect(classifyFailure(errorWith({ code: '42704' }, 'replication slot "x" does not exist'))).toBe('other');
    expect(classifyFailure(new Error('Kafka topic wbtest_x does not exist'))).toBe('other');
    expect(classifyFailure(errorWith({ name: 'KafkaJSSASLAuthenticationError' }, 'SASL PLAIN authentication failed'))).toBe('other');
  });

  it('recognises kafkajs connection errors and leader elections as network failures', () => {
    expect(classifyFailure(errorWith({ name: 'KafkaJSConnectionError', code: undefined }, 'Connection error'))).toBe('network');
    expect(classifyFailure(errorWith({ name: 'KafkaJSRequestTimeoutError' }, 'Request Produce(key: 0, version: 7) timed out'))).toBe('network');
    expect(classifyFailure(errorWith({ name: 'KafkaJSProtocolError', type: 'NOT_LEADER_OR_FOLLOWER' }, 'not leader'))).toBe('network');
    expect(classifyFailure(errorWith({ name: 'KafkaJSProtocolError', type: 'TOPIC_AUTHORIZATION_FAILED' }, 'not authorized'))).toBe('other');
  });

  it('looks through wrapping errors to the cause', () => {
    const refused = errorWith({ name: 'KafkaJSConnectionError' }, 'Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    const retries = errorWith({ name: 'KafkaJSNumberOfRetriesExceeded', originalError: refused }, 'Connection error');
    expect(classifyFailure(new Error('Kafka did not acknowledge a batch', { cause: retries }))).toBe('network');
    const auth = errorWith({ code: '28P01' }, 'password authentication failed');
    expect(classifyFailure(new Error('cannot describe table shop.t', { cause: auth }))).toBe('other');
  });

  it('looks into the aggregated errors @platformatic/kafka nests per retry and per broker', () => {
    const aggregate = (message: string, errors: Error[], props: Record<string, unknown> = {}) =>
      Object.assign(new AggregateError(errors, message), { code: 'PLT_KFK_MULTIPLE', ...props });
    const refused = errorWith({ code: 'PLT_KFK_NETWORK', cause: errorWith({ code: 'ECONNREFUSED' }, 'connect ECONNREFUSED 127.0.0.1:9092') }, 'Connection to 127.0.0.1:9092 failed.');
    const noBroker = aggregate('initProducerId failed 3 times.', [aggregate('Cannot connect to any broker.', [refused])]);
    expect(classifyFailure(noBroker)).toBe('network');
    expect(classifyFailure(new Error('Kafka did not acknowledge a batch: produce failed', { cause: noBroker }))).toBe('network');
    const leader = aggregate('Producing messages failed.', [aggregate('Received response with error', [errorWith({ code: 'PLT_KFK_PROTOCOL', apiId: 'NOT_LEADER_OR_FOLLOWER' })])]);
    expect(classifyFailure(leader)).toBe('network');
    const tooLarge = aggregate('Producing messages failed.', [errorWith({ code: 'PLT_KFK_PROTOCOL', apiId: 'MESSAGE_TOO_LARGE' })]);
    expect(classifyFailure(tooLarge)).toBe('other');
    // A refused login inside a failed connection is still a wrong password, not a network failure.
    const login = aggregate('Cannot connect to any broker.', [errorWith({ code: 'PLT_KFK_NETWORK', cause: errorWith({ code: 'PLT_KFK_AUTHENTICATION' }, 'SASL authentication failed') })]);
    expect(classifyFailure(login)).toBe('other');
  });

  it('survives odd inputs: strings, cycles, nothing', () => {
    expect(classifyFailure('connect ECONNREFUSED 127.0.0.1:5432')).toBe('network');
    expect(classifyFailure('something else')).toBe('other');
    expect(classifyFailure(undefined)).toBe('other');
    const a: Record<string, unknown> = { message: 'a' };
    a.cause = a;
    expect(classifyFailure(a)).toBe('other');
  });
});

describe('retry windows', () => {
  const windows = { connectionMinutes: 720, otherMinutes: 10 };
  const t0 = Date.UTC(2026, 0, 1);

  it('uses the connection window for network failures and the other window for the rest', () => {
    expect(retryWindowMs('network', windows)).toBe(720 * 60_000);
    expect(retryWindowMs('other', windows)).toBe(10 * 60_000);
  });

  it('retries until the window counted from the first failure of the episode has passed', () => {
    expect(decideRetry('other', t0, t0 + 9 * 60_000, windows)).toEqual({ retry: true, retryUntil: t0 + 10 * 60_000 });
    expect(decideRetry('other', t0, t0 + 10 * 60_000, windows).retry).toBe(false);
    expect(decideRetry('network', t0, t0 + 10 * 60_000, windows).retry).toBe(true);
    expect(decideRetry('network', t0, t0 + 720 * 60_000, windows).retry).toBe(false);
  });

  it('compresses the windows by the time scale', () => {
    // At 60x, a 10-minute window lasts 10 seconds.
    expect(decideRetry('other', t0, t0 + 9_999, windows, 60).retry).toBe(true);
    expect(decideRetry('other', t0, t0 + 10_000, windows, 60).retry).toBe(false);
    expect(decideRetry('other', t0, t0 + 10_000, windows, 0).retry).toBe(true); // a nonsensical scale counts as 1
  });

  it('never retries a data exception or a failure that needs an operator', () => {
    const cause = new DataException('shop.orders', '0000000001000000-00000002', 'too large', { cause: new Error('MESSAGE_TOO_LARGE') });
    expect(classifyFailure(cause)).toBe('data');
    expect(classifyFailure(new Error('wrapped', { cause }))).toBe('other'); // only the failure itself decides
    expect(cause.message).toBe('data exception on shop.orders, message id 0000000001000000-00000002: too large');
    expect(decideRetry('data', t0, t0, windows)).toEqual({ retry: false, retryUntil: t0 });
    expect(decideRetry('other', t0, t0 + 1, windows, 1, false)).toEqual({ retry: false, retryUntil: t0 + 1 });
    expect(retryWindowMs('data', windows)).toBe(0);
  });
});

describe('abnormal auto-stop', () => {
  const t0 = Date.UTC(2026, 0, 1);
  const day = 86_400_000;

  it('stops an abnormal task the configured number of days after it became abnormal', () => {
    expect(abnormalStopAt(t0, 14)).toBe(t0 + 14 * day);
    expect(abnormalStopAt(t0, 100)).toBe(t0 + 100 * day);
  });

  it('compresses days with the time scale', () => {
    // At 86,400x a day lasts a second.
    expect(abnormalStopAt(t0, 14, day / 1000)).toBe(t0 + 14_000);
  });
});

describe('failures of our own say their kind and whether a retry helps', () => {
  class Stalled extends NetworkFailure {}
  class TopicGone extends OperatorActionNeeded {}
  it.each([
    ['a network failure', new Stalled('stalled'), 'network', true],
    ['an operator action', new TopicGone('topic gone'), 'other', false],
    ['a data exception', new DataException('shop.orders', 'id', 'too large'), 'data', false],
    ['a data exception wrapped in a plain error (the wrapper decides)', new Error('batch failed', { cause: new DataException('t', 'i', 'r') }), 'other', true],
    ['a network failure wrapped in a plain error', new Error('cannot describe table', { cause: new Stalled('registry unreachable') }), 'network', true],
    ['a library error', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), 'network', true],
  ] as const)('%s', (_, error, kind, retryable) => {
    expect(classifyFailure(error)).toBe(kind);
    expect(isRetryable(error)).toBe(retryable);
  });
});
