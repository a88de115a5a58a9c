import type { DestinationConfig } from '@walbridge/contracts';
import { redactSecrets } from '@walbridge/domain';
import type { ExplainedFailure } from './source-errors';

interface KafkaishError {
  name?: string;
  message?: string;
  code?: string;
  type?: string;
  originalError?: KafkaishError;
  cause?: KafkaishError;
}

function rootOf(error: KafkaishError): KafkaishError {
  let e = error;
  for (let i = 0; i < 5 && (e.originalError || e.cause); i++) e = (e.originalError ?? e.cause)!;
  return e;
}

const TLS_VERIFY = /certificate|self[- ]signed|unable to verify|CERT_|altname/i;

/** Turns a kafkajs failure into the cause a user fixes. */
export function explainKafkaError(error: unknown, destination: DestinationConfig): ExplainedFailure {
  const top = (error ?? {}) as KafkaishError;
  const root = rootOf(top);
  const names = [top.name, root.name].join(' ');
  const message = redactSecrets(root.message ?? top.message ?? String(error), [destination.password, destination.clientKey]);
  const tls = destination.securityProtocol === 'SSL' || destination.securityProtocol === 'SASL_SSL';
  if (/not valid given the current SASL state|Unexpected handshake request/i.test(message)) {
    return {
      problem: 'protocol',
      message: `the broker listener does not expect SASL: ${message}`,
      suggestion: 'set securityProtocol to what the listener of these brokers uses (PLAINTEXT or SSL)',
    };
  }
  if (/SASLAuthentication/.test(names) || /SASL .*authentication failed|Authentication failed/i.test(message)) {
    if (/not supported by the server|mechanism/i.test(message) && !/authentication failed/i.test(message)) {
      return {
        problem: 'sasl-mechanism',
        message: `the broker does not offer SASL mechanism ${destination.saslMechanism ?? 'PLAIN'}: ${message}`,
        suggestion: 'check saslMechanism and securityProtocol against the listener of the brokers',
      };
    }
    return {
      problem: 'auth-failed',
      message: `Kafka authentication failed for user ${destination.username ?? ''}: ${message}`.replace(/\s+:/, ':'),
      suggestion: 'check the user name, the password and the SASL mechanism (the password of a task can be changed in any status)',
    };
  }
  // The broker refused our side of the handshake: the fix is the client certificate, not the CA.
  if (/alert bad certificate|certificate required|alert number 4[12]/i.test(message)) {
    return {
      problem: 'ssl-client-cert',
      message: `the broker did not accept the client certificate: ${message}`,
      suggestion: 'give a client certificate and key (clientCert, clientKey) signed by a CA the brokers trust',
    };
  }
  if (TLS_VERIFY.test(message) || (root.code && /CERT|SELF_SIGNED|UNABLE_TO/.test(root.code))) {
    return {
      problem: 'ssl-verify',
      message: `the broker's SSL certificate was not accepted: ${message}`,
      suggestion: 'give the CA certificate of the brokers in caCert, or turn verifyHostname off if the certificate names another host',
    };
  }
  if (tls && /Client network socket disconnected before secure TLS|wrong version number|EPROTO|Failed to connect|Connection error/i.test(message)) {
    return {
      problem: 'protocol',
      message: `the broker did not complete the SSL handshake: ${message}`,
      suggestion: 'check securityProtocol: the listener may be PLAINTEXT (or SASL_PLAINTEXT)',
    };
  }
  if (/Request timed out|timed out|Connection timeout/i.test(message)) {
    return {
      problem: 'timeout',
      message: `the brokers accepted the connection but did not answer in time: ${message}`,
      suggestion: tls ? 'check securityProtocol (SSL against a plaintext listener hangs), then the load of the brokers' : 'check securityProtocol (a TLS or SASL listener does not answer plaintext requests), then the load of the brokers',
    };
  }
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|Connection error|connect E/i.test(message)) {
    return {
      problem: 'unreachable',
      message: `a broker could not be reached: ${message}`,
      suggestion: 'the bootstrap brokers answer, but the address they advertise may not be reachable from Walbridge: check advertised.listeners of the brokers',
    };
  }
  return { problem: 'unknown', message: `Kafka refused the connection: ${message}`, suggestion: 'check the broker logs for this client (client id walbridge-*)' };
}
