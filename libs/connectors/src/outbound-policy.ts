import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { OperatorActionNeeded } from '@walbridge/domain';
import type { ExplainedFailure } from './source-errors';

const SUGGESTION = 'use another address, or change WALBRIDGE_OUTBOUND_DENY on the schedulers';

/**
 * A connection the outbound policy refused before anything was sent. Not retried: only a changed
 * address or policy fixes it (then resume the task).
 */
export class OutboundDeniedError extends OperatorActionNeeded {
  override readonly name = 'OutboundDeniedError';
  constructor(refusal: string) {
    super(`${refusal}; nothing was sent: ${SUGGESTION}, then resume the task`);
  }
}

/** A probe's answer for a refused endpoint (connection test, object picker, message browser, precheck). */
export function outboundFailure(refusal: string): ExplainedFailure {
  return { problem: 'outbound-denied', message: refusal, suggestion: SUGGESTION };
}

/**
 * Where Walbridge may not connect on a user's behalf (WALBRIDGE_OUTBOUND_DENY): CIDRs and host
 * names (a name denies its subdomains too). Names are resolved and every address checked, so a
 * public name pointing at 169.254.169.254 is refused as well. Without it, connection tests,
 * webhooks and SMTP tests would be a way to probe the scheduler's internal network.
 */
export class OutboundPolicy {
  private readonly blocked = new BlockList();
  private readonly names: string[] = [];

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address, prefix] = entry.split('/');
      const family = isIP(address);
      if (!family) this.names.push(entry.toLowerCase());
      else if (prefix === undefined) this.blocked.addAddress(address, family === 4 ? 'ipv4' : 'ipv6');
      else this.blocked.addSubnet(address, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** Why `host` is refused, or null when it may be reached (a name that does not resolve is left to the connection). */
  async refusal(rawHost: string): Promise<string | null> {
    const host = rawHost.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
    if (this.names.some((n) => host === n || host.endsWith(`.${n}`))) return `${host} is refused by the outbound policy (WALBRIDGE_OUTBOUND_DENY)`;
    const family = isIP(host);
    const addresses = family ? [{ address: host, family }] : await lookup(host, { all: true }).catch(() => []);
    const denied = addresses.find((a) => this.blocked.check(a.address, a.family === 4 ? 'ipv4' : 'ipv6'));
    return denied ? `${host}${family ? '' : ` (${denied.address})`} is refused by the outbound policy (WALBRIDGE_OUTBOUND_DENY)` : null;
  }

  /** Throws OutboundDeniedError when any of the hosts is refused (the worker's connections). */
  async assertAllowed(hosts: readonly string[]): Promise<void> {
    const refusal = await this.refusalOfAny(hosts);
    if (refusal) throw new OutboundDeniedError(refusal);
  }

  /** The first refusal among several hosts (a broker list). */
  async refusalOfAny(hosts: readonly string[]): Promise<string | null> {
    for (const host of hosts) {
      const refusal = await this.refusal(host);
      if (refusal) return refusal;
    }
    return null;
  }
}

/** Host names of a `host:port,host:port` broker list (IPv6 in brackets). */
export function brokerHosts(brokers: string): string[] {
  return brokers.split(',').map((b) => b.trim().replace(/:\d+$/, '')).filter(Boolean);
}
