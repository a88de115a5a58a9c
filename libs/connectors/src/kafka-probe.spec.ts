import { describe, expect, it } from 'vitest';
import type { DestinationConfig } from '@walbridge/contracts';
import { inferBrokerVersion, parseApiVersionsV0 } from './kafka-api-versions';
import { explainKafkaError } from './kafka-errors';

function apiVersionsResponse(keys: number[], errorCode = 0): Buffer {
  const b = Buffer.alloc(10 + keys.length * 6);
  b.writeInt32BE(1, 0);
  b.writeInt16BE(errorCode, 4);
  b.writeInt32BE(keys.length, 6);
  keys.forEach((k, i) => {
    b.writeInt16BE(k, 10 + i * 6);
    b.writeInt16BE(0, 12 + i * 6);
    b.writeInt16BE(3, 14 + i * 6);
  });
  return b;
}

describe('ApiVersions', () => {
  it('parses the v0 answer and dates the broker by the APIs it offers', () => {
    const parsed = parseApiVersionsV0(apiVersionsResponse([0, 1, 3, 18, 19, 22, 32, 36]));
    expect(parsed.apiKeys.get(22)).toEqual([0, 3]);
    expect(parsed.brokerVersion).toBe('1.0');
    expect(inferBrokerVersion(new Map([[0, 0], [18, 0]]))).toBe('0.10');
    expect(inferBrokerVersion(new Map(Array.from({ length: 76 }, (_, k) => [k, 0])))).toBe('3.8');
  });

  it('refuses an error answer', () => {
    expect(() => parseApiVersionsV0(apiVersionsResponse([], 35))).toThrow(/error code 35/);
  });
});

describe('explainKafkaError', () => {
  const sasl: DestinationConfig = {
    brokers: 'k:9092',
    securityProtocol: 'SASL_PLAINTEXT',
    saslMechanism: 'PLAIN',
    username: 'alice',
    password: 'alice-Secret',
    verifyHostname: true,
  };

  it('tells a rejected login from a listener without SASL and from transport problems', () => {
    const auth = Object.assign(new Error('SASL PLAIN authentication failed: Authentication failed: Invalid username or password'), { name: 'KafkaJSSASLAuthenticationError' });
    expect(explainKafkaError(auth, sasl)).toMatchObject({ problem: 'auth-failed', message: expect.stringContaining('user alice') });
    expect(explainKafkaError(new Error('Request is not valid given the current SASL state'), sasl).problem).toBe('protocol');
    const mech = Object.assign(new Error('SASL SCRAM-SHA-256 mechanism is not supported by the server'), { name: 'KafkaJSSASLAuthenticationError' });
    expect(explainKafkaError(mech, sasl).problem).toBe('sasl-mechanism');
    expect(explainKafkaError(new Error('Request Metadata(key: 3, version: 6) timed out'), sasl).problem).toBe('timeout');
    expect(explainKafkaError(new Error('self-signed certificate in certificate chain'), { ...sasl, securityProtocol: 'SASL_SSL' }).problem).toBe('ssl-verify');
  });

  it('keeps the password out of the text', () => {
    expect(explainKafkaError(new Error('broker said alice-Secret is wrong'), sasl).message).not.toContain('alice-Secret');
  });
});
