import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './env.schema';

describe('security settings of the environment', () => {
  it('defaults to a closed API: no CORS origin, no proxy trusted, admin named admin without a preset password', () => {
    const config = loadConfig({});
    expect(config.WALBRIDGE_CORS_ORIGINS).toEqual([]);
    expect(config.WALBRIDGE_TRUST_PROXY).toBe(false);
    expect(config.WALBRIDGE_ADMIN_USER).toBe('admin');
    expect(config.WALBRIDGE_ADMIN_PASSWORD).toBeUndefined();
    expect(config.WALBRIDGE_LOGIN_MAX_FAILURES).toBe(5);
  });

  it('reads a list of CORS origins and refuses one that is not a URL, naming the variable', () => {
    expect(loadConfig({ WALBRIDGE_CORS_ORIGINS: 'https://a.example, https://b.example' }).WALBRIDGE_CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(() => loadConfig({ WALBRIDGE_CORS_ORIGINS: 'a.example' })).toThrow(/WALBRIDGE_CORS_ORIGINS/);
  });

  it('refuses a first admin password shorter than the password rules', () => {
    const error = (() => {
      try {
        loadConfig({ WALBRIDGE_ADMIN_PASSWORD: 'short' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/WALBRIDGE_ADMIN_PASSWORD: must be at least 8 characters/);
    expect((error as ConfigError).message).not.toContain('short');
  });

  it('trusts a proxy by hop count or by CIDRs, never any proxy at all', () => {
    expect(loadConfig({ WALBRIDGE_TRUST_PROXY: '1' }).WALBRIDGE_TRUST_PROXY).toBe(1);
    expect(loadConfig({ WALBRIDGE_TRUST_PROXY: '0' }).WALBRIDGE_TRUST_PROXY).toBe(false);
    expect(loadConfig({ WALBRIDGE_TRUST_PROXY: '10.0.0.0/8, loopback, ::1' }).WALBRIDGE_TRUST_PROXY).toEqual(['10.0.0.0/8', 'loopback', '::1']);
    expect(() => loadConfig({ WALBRIDGE_TRUST_PROXY: 'true' })).toThrow(/WALBRIDGE_TRUST_PROXY: trusting any proxy/);
    expect(() => loadConfig({ WALBRIDGE_TRUST_PROXY: '10.0.0.0/33' })).toThrow(/WALBRIDGE_TRUST_PROXY: not a hop count/);
  });

  it('denies link-local, IPv6 unique local and cloud metadata names by default, and reads its own list', () => {
    expect(loadConfig({}).WALBRIDGE_OUTBOUND_DENY).toEqual(expect.arrayContaining(['169.254.0.0/16', 'fd00::/8', 'metadata.google.internal']));
    expect(loadConfig({}).WALBRIDGE_OUTBOUND_DENY).not.toContain('127.0.0.0/8');
    expect(loadConfig({ WALBRIDGE_OUTBOUND_DENY: '127.0.0.0/8, Internal.Example' }).WALBRIDGE_OUTBOUND_DENY).toEqual(['127.0.0.0/8', 'internal.example']);
    expect(loadConfig({ WALBRIDGE_OUTBOUND_DENY: 'none' }).WALBRIDGE_OUTBOUND_DENY).toEqual([]);
    expect(() => loadConfig({ WALBRIDGE_OUTBOUND_DENY: 'http://x' })).toThrow(/WALBRIDGE_OUTBOUND_DENY/);
  });

  it('lowercases the admin name, as logins do', () => {
    expect(loadConfig({ WALBRIDGE_ADMIN_USER: 'Chief' }).WALBRIDGE_ADMIN_USER).toBe('chief');
  });
});

describe('monitoring and notification settings of the environment', () => {
  it('samples every 10 s and keeps 48 h by default, and refuses a coarser sampling or a shorter retention than PRODUCT.md allows', () => {
    const config = loadConfig({});
    expect(config.WALBRIDGE_METRICS_SAMPLE_MS).toBe(10_000);
    expect(config.WALBRIDGE_METRICS_RETENTION_HOURS).toBe(48);
    expect(() => loadConfig({ WALBRIDGE_METRICS_SAMPLE_MS: '30000' })).toThrow(/WALBRIDGE_METRICS_SAMPLE_MS/);
    expect(() => loadConfig({ WALBRIDGE_METRICS_RETENTION_HOURS: '12' })).toThrow(/WALBRIDGE_METRICS_RETENTION_HOURS/);
  });

  it('retries deliveries 8 times from 10 s by default and watches slots above 10 GB', () => {
    const config = loadConfig({});
    expect([config.WALBRIDGE_NOTIFY_ATTEMPTS, config.WALBRIDGE_NOTIFY_RETRY_MS, config.WALBRIDGE_SLOT_WAL_LIMIT_MB]).toEqual([8, 10_000, 10240]);
    expect(loadConfig({ WALBRIDGE_SLOT_WAL_LIMIT_MB: '0' }).WALBRIDGE_SLOT_WAL_LIMIT_MB).toBe(0);
  });

  it('takes an smtp:// or smtps:// server for e-mail channels without their own, and refuses anything else without echoing it', () => {
    expect(loadConfig({ WALBRIDGE_SMTP_URL: 'smtps://mailer:s3cret-pw@smtp.example.com:465' }).WALBRIDGE_SMTP_URL).toBe('smtps://mailer:s3cret-pw@smtp.example.com:465');
    expect(loadConfig({}).WALBRIDGE_SMTP_URL).toBeUndefined();
    const error = (() => {
      try {
        loadConfig({ WALBRIDGE_SMTP_URL: 'https://mailer:s3cret-pw@smtp.example.com' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toMatch(/WALBRIDGE_SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(error?.message).not.toContain('s3cret-pw');
  });
});

describe('fleet settings of the environment', () => {
  it('defaults to 50 tasks per scheduler with rebalancing on, and refuses a capacity below one, naming the variable', () => {
    const config = loadConfig({});
    expect(config.WALBRIDGE_SCHEDULER_MAX_TASKS).toBe(50);
    expect(config.WALBRIDGE_REBALANCE).toBe('on');
    expect(loadConfig({ WALBRIDGE_SCHEDULER_MAX_TASKS: '3', WALBRIDGE_REBALANCE: 'off' })).toMatchObject({ WALBRIDGE_SCHEDULER_MAX_TASKS: 3, WALBRIDGE_REBALANCE: 'off' });
    expect(() => loadConfig({ WALBRIDGE_SCHEDULER_MAX_TASKS: '0' })).toThrow(/WALBRIDGE_SCHEDULER_MAX_TASKS: .*(>=|at least|greater)/i);
    expect(() => loadConfig({ WALBRIDGE_REBALANCE: 'maybe' })).toThrow(/WALBRIDGE_REBALANCE/);
  });
});
