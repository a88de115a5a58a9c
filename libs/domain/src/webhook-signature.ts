import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: `X-Walbridge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where the
 * HMAC is computed with the channel's secret over `<t>.<raw body>`. The timestamp is signed too,
 * so a receiver that refuses old timestamps (5 minutes by default) cannot be fed a replay.
 */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Walbridge-Signature';
export const WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS = 300;

export function webhookSignature(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

export type WebhookVerification = { ok: true; timestampSeconds: number } | { ok: false; reason: string };

/** What a receiver does (also the reference for the README): parse, recompute, compare in constant time, check the age. */
export function verifyWebhookSignature(
  header: string | null | undefined,
  body: string,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS,
): WebhookVerification {
  if (!header) return { ok: false, reason: 'no signature header' };
  const parts = new Map(
    header.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return { ok: false, reason: 'malformed signature header' };
  const expected = Buffer.from(webhookSignature(secret, body, t).split('v1=')[1], 'hex');
  if (!timingSafeEqual(expected, Buffer.from(v1, 'hex'))) return { ok: false, reason: 'signature does not match' };
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return { ok: false, reason: `timestamp is ${Math.abs(nowSeconds - t)} s away from now` };
  return { ok: true, timestampSeconds: t };
}
