import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature, webhookSignature } from './webhook-signature';

const SECRET = 'a-channel-secret-of-some-length';
const BODY = JSON.stringify({ id: 'n1', type: 'delayAlarm', task: { id: 't1', name: 'orders' } });

describe('webhook signature', () => {
  it('is HMAC-SHA256 of "<timestamp>.<body>" with the channel secret, as a receiver computes it', () => {
    const header = webhookSignature(SECRET, BODY, 1_732_600_000);
    const mac = createHmac('sha256', SECRET).update(`1732600000.${BODY}`).digest('hex');
    expect(header).toBe(`t=1732600000,v1=${mac}`);
  });

  it('verifies with the right secret and refuses a changed body, another secret, a replayed old timestamp or garbage', () => {
    const header = webhookSignature(SECRET, BODY, 1_732_600_000);
    expect(verifyWebhookSignature(header, BODY, SECRET, 1_732_600_010)).toEqual({ ok: true, timestampSeconds: 1_732_600_000 });
    expect(verifyWebhookSignature(header, BODY.replace('orders', 'orderz'), SECRET, 1_732_600_010)).toMatchObject({ ok: false, reason: 'signature does not match' });
    expect(verifyWebhookSignature(header, BODY, 'another-secret', 1_732_600_010)).toMatchObject({ ok: false });
    expect(verifyWebhookSignature(header, BODY, SECRET, 1_732_600_000 + 301)).toMatchObject({ ok: false, reason: 'timestamp is 301 s away from now' });
    // A new timestamp on an old signature does not verify: the timestamp is signed.
    expect(verifyWebhookSignature(header.replace('t=1732600000', 't=1732600300'), BODY, SECRET, 1_732_600_300)).toMatchObject({ ok: false });
    for (const bad of [undefined, '', 'v1=abc', 't=x,v1=00', 'sha256=deadbeef']) expect(verifyWebhookSignature(bad, BODY, SECRET, 1)).toMatchObject({ ok: false });
  });
});
