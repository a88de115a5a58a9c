import { describe, expect, it } from 'vitest';
import { explainSourceError, explainTcpFailure } from './source-errors';
import { tcpFailure } from './tcp-probe';

const target = { host: 'db', port: 5432, database: 'shop', username: 'cdc', password: 'Secr3t!pw' };
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('explainSourceError', () => {
  it('tells the server refusals apart by SQLSTATE and message', () => {
    expect(explainSourceError(pgError('28P01', 'password authentication failed for user "cdc"'), target).problem).toBe('bad-password');
    expect(explainSourceError(pgError('28000', 'role "cdc" is not permitted to log in'), target)).toMatchObject({
      problem: 'no-login',
      suggestion: 'ALTER ROLE "cdc" WITH LOGIN;',
    });
    const hba = explainSourceError(pgError('28000', 'no pg_hba.conf entry for host "10.1.2.3", user "cdc", database "shop", no encryption'), target);
    expect(hba.problem).toBe('pg-hba');
    expect(hba.suggestion).toContain('host shop cdc 10.1.2.3/32 scram-sha-256');
    expect(explainSourceError(pgError('28000', 'pg_hba.conf rejects connection for host "::1", user "cdc", database "shop"'), target).suggestion).toContain('::1/128');
    expect(explainSourceError(pgError('3D000', 'database "shop" does not exist'), target).problem).toBe('database-missing');
    expect(explainSourceError(pgError('42501', 'permission denied for database "shop"'), target)).toMatchObject({
      problem: 'no-connect-privilege',
      suggestion: 'GRANT CONNECT ON DATABASE "shop" TO "cdc";',
    });
    expect(explainSourceError(pgError('53300', 'sorry, too many clients already'), target).problem).toBe('too-many-connections');
  });

  it('recognises SSL and handshake problems', () => {
    expect(explainSourceError(new Error('The server does not support SSL connections'), target).problem).toBe('ssl-unsupported');
    expect(explainSourceError(pgError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), target).problem).toBe('ssl-verify');
    expect(explainSourceError(pgError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), target).suggestion).toMatch(/verify-ca/);
    expect(explainSourceError(new Error('timeout expired'), target).problem).toBe('timeout');
    expect(explainSourceError(new Error('Connection terminated unexpectedly'), target).problem).toBe('protocol');
  });

  it('never repeats the password a server message might echo', () => {
    const explained = explainSourceError(new Error('unexpected: connection string postgres://cdc:Secr3t!pw@db/shop refused'), target);
    expect(explained.problem).toBe('unknown');
    expect(explained.message).not.toContain('Secr3t!pw');
    expect(explained.message).toContain('[redacted]');
  });
});

describe('TCP failures', () => {
  it('separate name resolution, refusal and unreachable hosts', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(explainTcpFailure(tcpFailure(err('ENOTFOUND'), 'nope.invalid', 5432), 'source')).toMatchObject({ problem: 'dns' });
    expect(explainTcpFailure(tcpFailure(err('ECONNREFUSED'), 'db', 5433), 'source')).toMatchObject({ problem: 'refused', message: expect.stringContaining('nothing listens on port 5433') });
    expect(explainTcpFailure(tcpFailure(err('EHOSTUNREACH'), 'db', 5432), 'kafka')).toMatchObject({ problem: 'unreachable' });
    expect(explainTcpFailure(tcpFailure(err('ENETUNREACH'), 'db', 5432), 'kafka').suggestion).toMatch(/firewalls/);
  });
});
