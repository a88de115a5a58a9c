import { describe, expect, it } from 'vitest';
import { OutboundDeniedError, OutboundPolicy, brokerHosts, outboundFailure } from './outbound-policy';

// Literal addresses and listed names only: nothing here resolves a name through DNS.
const policy = new OutboundPolicy(['169.254.0.0/16', 'fd00::/8', '10.1.2.3', 'metadata.google.internal']);

describe('OutboundPolicy', () => {
  it.each([
    ['169.254.169.254', true],
    ['[fd00::1]', true],
    ['10.1.2.3', true],
    ['metadata.google.internal', true],
    ['x.metadata.google.internal.', true],
    ['METADATA.google.internal', true],
    ['10.1.2.4', false],
    ['127.0.0.1', false],
    ['[::1]', false],
  ])('%s refused: %s', async (host, refused) => {
    expect((await policy.refusal(host)) !== null).toBe(refused);
  });

  it('throws a non-retryable error naming the host and the way out for the worker', async () => {
    const error = await policy.assertAllowed(['127.0.0.1', '169.254.169.254']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundDeniedError);
    expect(error).toMatchObject({ retryable: false, message: expect.stringMatching(/169\.254\.169\.254 is refused .*WALBRIDGE_OUTBOUND_DENY.*resume the task/) });
    await expect(policy.assertAllowed(['127.0.0.1'])).resolves.toBeUndefined();
  });

  it('gives probes a classified failure', () => {
    expect(outboundFailure('x is refused')).toEqual({ problem: 'outbound-denied', message: 'x is refused', suggestion: expect.stringContaining('WALBRIDGE_OUTBOUND_DENY') });
  });

  it('reads the hosts of a broker list', () => {
    expect(brokerHosts('a:9092, [fd00::1]:9092,b')).toEqual(['a', '[fd00::1]', 'b']);
  });
});
