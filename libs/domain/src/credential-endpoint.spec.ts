import { describe, expect, it } from 'vitest';
import { changedEndpointFields, credentialEndpoint, type CredentialEndpointKind } from './credential-endpoint';

const source = { host: 'db.example.com', port: 5432, database: 'shop', username: 'app', sslMode: 'require', slotName: 'x' };
const kafka = { brokers: 'b1:9092,b2:9092', securityProtocol: 'SASL_SSL', saslMechanism: 'PLAIN', username: 'u', caCert: 'c' };
const registry = { url: 'https://registry.example.com/apis/ccompat/v7', username: 'reg' };
const smtp = { host: 'smtp.example.com', port: 587, security: 'starttls', username: 'w', from: 'a@b.c' };

describe('credential endpoints', () => {
  const cases: [string, CredentialEndpointKind, Record<string, unknown>, Record<string, unknown>, string[]][] = [
    ['same source', 'source', source, { ...source }, []],
    ['host case only', 'source', source, { ...source, host: 'DB.example.com' }, []],
    ['another port', 'source', source, { ...source, port: 5433 }, ['port']],
    ['another host and database', 'source', source, { ...source, host: 'evil.example.com', database: 'x' }, ['host', 'database']],
    ['another login', 'source', source, { ...source, username: 'postgres' }, ['username']],
    ['TLS off', 'source', source, { ...source, sslMode: 'disable' }, ['sslMode']],
    ['fields that do not route the password', 'source', source, { ...source, slotName: 'y', caCert: 'z' }, []],
    ['brokers reordered', 'destination', kafka, { ...kafka, brokers: 'b2:9092, b1:9092' }, []],
    ['a broker added', 'destination', kafka, { ...kafka, brokers: 'b1:9092,b2:9092,evil:9092' }, ['brokers']],
    ['SASL over plaintext', 'destination', kafka, { ...kafka, securityProtocol: 'SASL_PLAINTEXT' }, ['securityProtocol']],
    ['SCRAM to PLAIN', 'destination', kafka, { ...kafka, saslMechanism: 'SCRAM-SHA-256' }, ['saslMechanism']],
    ['CA changed only', 'destination', kafka, { ...kafka, caCert: 'other' }, []],
    ['smtp port', 'smtp', smtp, { ...smtp, port: 25 }, ['port']],
    ['smtp without TLS', 'smtp', smtp, { ...smtp, security: 'none' }, ['security']],
    ['smtp sender only', 'smtp', smtp, { ...smtp, from: 'x@y.z' }, []],
    ['same registry', 'schemaRegistry', registry, { ...registry }, []],
    ['another registry url', 'schemaRegistry', registry, { ...registry, url: 'https://evil.example.com/apis/ccompat/v7' }, ['url']],
    ['registry url over plain http', 'schemaRegistry', registry, { ...registry, url: 'http://registry.example.com/apis/ccompat/v7' }, ['url']],
    ['another registry login', 'schemaRegistry', registry, { ...registry, username: 'admin' }, ['username']],
  ];
  it.each(cases)('%s', (_name, kind, before, after, changed) => {
    expect(changedEndpointFields(kind, before, after)).toEqual(changed);
    expect(credentialEndpoint(kind, before) === credentialEndpoint(kind, after)).toBe(changed.length === 0);
  });

  it('treats a missing and an empty optional field alike', () => {
    expect(changedEndpointFields('destination', { brokers: 'a:1' }, { brokers: 'a:1', username: '' })).toEqual([]);
  });
});
