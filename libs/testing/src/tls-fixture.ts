import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './processes';
import { testPassword } from './test-users';

/** A certificate authority made by a test with openssl, to sign server and client certificates. */
export interface CertificateAuthority {
  dir: string;
  certFile: string;
  keyFile: string;
  /** PEM, as a user pastes it into `caCert`. */
  certPem: string;
}

export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

export interface SubjectNames {
  commonName: string;
  dns?: string[];
  ips?: string[];
}

const DAYS = '2';

export async function createCertificateAuthority(dir: string, name = 'ca'): Promise<CertificateAuthority> {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', DAYS,
    '-subj', `/CN=Walbridge test CA ${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { dir, certFile, keyFile, certPem: readFileSync(certFile, 'utf8') };
}

function subjectAltName(names: SubjectNames): string {
  return [...(names.dns ?? []).map((d) => `DNS:${d}`), ...(names.ips ?? []).map((i) => `IP:${i}`)].join(',');
}

/** Signs a certificate request with the CA: serverAuth and clientAuth, the given names. */
async function sign(ca: CertificateAuthority, csrFile: string, certFile: string, names: SubjectNames): Promise<void> {
  const extFile = `${certFile}.ext`;
  const san = subjectAltName(names);
  writeFileSync(extFile, [
    'basicConstraints=CA:FALSE',
    'keyUsage=digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth,clientAuth',
    ...(san ? [`subjectAltName=${san}`] : []),
    '',
  ].join('\n'));
  await run('openssl', [
    'x509', '-req', '-in', csrFile, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', `0x${Date.now().toString(16)}${Math.floor(Math.random() * 1e6)}`,
    '-days', DAYS, '-extfile', extFile, '-out', certFile,
  ]);
}

/** A key and certificate in PEM files (PostgreSQL's server certificate, a Kafka client certificate). */
export async function issueCertificate(ca: CertificateAuthority, name: string, names: SubjectNames): Promise<IssuedCertificate> {
  const keyFile = join(ca.dir, `${name}.key`);
  const csrFile = join(ca.dir, `${name}.csr`);
  const certFile = join(ca.dir, `${name}.pem`);
  await run('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', csrFile, '-subj', `/CN=${names.commonName}`]);
  await sign(ca, csrFile, certFile, names);
  return { certFile, keyFile, certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
}

export interface JavaKeystore {
  file: string;
  password: string;
}

// keytool is a JVM per call: start it lean.
const KEYTOOL_JVM = ['-J-XX:TieredStopAtLevel=1', '-J-XX:+UseSerialGC', '-J-Xmx64m'];
const keytool = (args: string[]) => run('keytool', [...KEYTOOL_JVM, ...args]);

/**
 * A PKCS12 keystore for a Java server (the Kafka broker), made the way an operator would with
 * keytool: a key pair, a signing request, the CA's signature, then CA and certificate imported.
 */
export async function createKeystore(ca: CertificateAuthority, name: string, names: SubjectNames): Promise<JavaKeystore> {
  const file = join(ca.dir, `${name}.p12`);
  const password = testPassword();
  const store = ['-keystore', file, '-storetype', 'PKCS12', '-storepass', password];
  const san = subjectAltName(names)
    .split(',')
    .filter(Boolean)
    .map((n) => n.replace(/^DNS:/, 'dns:').replace(/^IP:/, 'ip:'))
    .join(',');
  await keytool(['-genkeypair', '-alias', name, '-keyalg', 'RSA', '-keysize', '2048', '-validity', DAYS, '-dname', `CN=${names.commonName}`, ...store, '-keypass', password]);
  const csrFile = join(ca.dir, `${name}.csr`);
  await keytool(['-certreq', '-alias', name, '-file', csrFile, ...store, ...(san ? ['-ext', `SAN=${san}`] : [])]);
  const signed = join(ca.dir, `${name}-signed.pem`);
  await sign(ca, csrFile, signed, names);
  await keytool(['-importcert', '-alias', 'ca', '-file', ca.certFile, '-noprompt', ...store]);
  await keytool(['-importcert', '-alias', name, '-file', signed, '-noprompt', ...store]);
  return { file, password };
}

/** A PKCS12 truststore holding the CA: what the broker checks client certificates against. */
export async function createTruststore(ca: CertificateAuthority, name = 'truststore'): Promise<JavaKeystore> {
  const file = join(ca.dir, `${name}.p12`);
  const password = testPassword();
  await keytool(['-importcert', '-alias', 'ca', '-file', ca.certFile, '-noprompt', '-keystore', file, '-storetype', 'PKCS12', '-storepass', password]);
  return { file, password };
}
