import { FormProvider, useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import {
  destinationSchema,
  SASL_MECHANISMS,
  SECURITY_PROTOCOLS,
  sourceSchema,
  SSL_MODES,
  type ConnectionTarget,
  type ConnectionTestResult,
  type MessageFormat,
  type SavedConnectionView,
  type TaskView,
} from '@walbridge/contracts';
import { testConnection, testSavedConnection, testTaskConnection } from '../../api/connections.api';
import { SaveConnectionField, SavedConnectionChoice, useChosenConnection } from '../connections/saved-connection-choice';
import { useSavedConnections } from '../connections/use-saved-connections.query';
import { CheckboxField, SelectField, TextAreaField, TextField, SubmitProblemNotice } from '../../ui/form-fields';
import { zodFormResolver, useFormChanges, useApiSubmit } from '../../ui/zod-form';
import { WizardActions } from './wizard-actions';
import { destinationInput, sourceInput, type ConnectionValues } from './wizard-values';

/** A saved connection's reference, or settings checked by the task's own schema. */
const savedOr = (schema: z.ZodTypeAny) =>
  z.any().superRefine((v, ctx) => {
    if (v && typeof v === 'object' && (v as { connectionId?: string }).connectionId) return;
    const parsed = schema.safeParse(v);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue(issue as z.IssueData);
  });
const connectionsSchema = z.object({ source: savedOr(sourceSchema), destination: savedOr(destinationSchema) });
const toInput = (v: ConnectionValues) => ({ source: sourceInput(v.source), destination: destinationInput(v.destination) });

const SSL_MODE_LABELS: Record<(typeof SSL_MODES)[number], string> = {
  disable: 'disable (no TLS)',
  require: 'require (TLS, no certificate check)',
  'verify-ca': 'verify-ca (TLS, CA certificate checked)',
  'verify-full': 'verify-full (TLS, CA and host name checked)',
};

/** Fields without "Use a saved connection" and "Save this connection" (the Connections page's own form). */
export const NO_REUSE: SavedConnectionView[] = [];

export type ConnectionTests = Partial<Record<ConnectionTarget, TestState>>;

export type TestState =
  | { state: 'running'; key: string }
  | { state: 'done'; key: string; result: ConnectionTestResult }
  | { state: 'error'; key: string; error: unknown };

interface SourceDestinationStepProps {
  values: ConnectionValues;
  /** The saved task, once created: its passwords stay on the server and need not be typed again. */
  task: TaskView | null;
  /** The format chosen at step 3 (json before): avro-registry asks for the registry here. */
  format: MessageFormat;
  tests: ConnectionTests;
  onTestsChange: (update: (tests: ConnectionTests) => ConnectionTests) => void;
  onChange: (values: ConnectionValues) => void;
  /** Saves the connection to the task before testing it with the stored credentials. */
  onSaveTarget: (target: ConnectionTarget, values: ConnectionValues) => Promise<void>;
  onNext: (values: ConnectionValues) => Promise<void>;
  onBack: () => void;
}

const isSasl = (protocol: string) => protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
const isTls = (protocol: string) => protocol === 'SSL' || protocol === 'SASL_SSL';

/** Identifies what was tested: a result only counts while the fields still hold those values. */
const testKey = (values: ConnectionValues, target: ConnectionTarget) => JSON.stringify({ ...values[target], saveAs: undefined });

/** Step 2: where changes are read and where they are written, each with Test Connection. */
export function SourceDestinationStep({ values, task, format, tests, onTestsChange: setTests, onChange, onSaveTarget, onNext, onBack }: SourceDestinationStepProps) {
  const form = useForm<ConnectionValues>({ defaultValues: values, resolver: zodFormResolver(toInput, connectionsSchema) });
  useFormChanges(form, onChange);
  const { run, problem } = useApiSubmit(form, (p) => /^(source|destination)(\.\w+)+$/.test(p));
  const current = useWatch({ control: form.control }) as ConnectionValues;
  const saved = useSavedConnections().data ?? [];

  /** A blank secret of a saved task means "keep the stored one": test what is saved, then. */
  const usesStoredSecret = (target: ConnectionTarget, v: ConnectionValues): boolean => {
    if (!task) return false;
    if (target === 'source') return !v.source.password && task.source.passwordSet;
    const d = v.destination;
    return (
      (isSasl(d.securityProtocol) && !d.password && task.destination.passwordSet) ||
      (isTls(d.securityProtocol) && !!d.clientCert && !d.clientKey && task.destination.clientKeySet) ||
      (!!d.schemaRegistry?.url.trim() && !d.schemaRegistry.password && !!task.destination.schemaRegistry?.passwordSet)
    );
  };

  const runTest = async (target: ConnectionTarget) => {
    if (!(await form.trigger(target))) {
      // The fields say what is wrong; an earlier result no longer describes them.
      setTests((t) => ({ ...t, [target]: undefined }));
      return;
    }
    const v = form.getValues();
    const key = testKey(v, target);
    setTests((t) => ({ ...t, [target]: { state: 'running', key } }));
    try {
      let result: ConnectionTestResult;
      const connectionId = v[target].connectionId;
      if (connectionId) {
        result = await testSavedConnection(connectionId);
      } else if (task && usesStoredSecret(target, v)) {
        await onSaveTarget(target, v);
        result = await testTaskConnection(task.id, target);
      } else {
        result =
          target === 'source'
            ? await testConnection({ type: 'source', connection: sourceInput(v.source) })
            : await testConnection({ type: 'destination', connection: destinationInput(v.destination) });
      }
      setTests((t) => ({ ...t, [target]: { state: 'done', key, result } }));
    } catch (error) {
      setTests((t) => ({ ...t, [target]: { state: 'error', key, error } }));
    }
  };

  const passed = (target: ConnectionTarget) => {
    const t = tests[target];
    return t?.state === 'done' && t.result.ok && t.key === testKey(current, target);
  };
  const bothPassed = passed('source') && passed('destination');
  const pending = (['source', 'destination'] as const).filter((t) => !passed(t)).map((t) => (t === 'source' ? 'the source' : 'the destination'));

  return (
    <FormProvider {...form}>
      <form className="wizard-form" onSubmit={run(onNext)} noValidate>
        <div className="connection-columns">
          <SourceFields task={task} saved={saved} test={tests.source} stale={!!tests.source && tests.source.key !== testKey(current, 'source')} onTest={() => void runTest('source')} />
          <DestinationFields
            task={task}
            saved={saved}
            registry={format === 'avro-registry' || !!current.destination.schemaRegistry?.url}
            test={tests.destination}
            stale={!!tests.destination && tests.destination.key !== testKey(current, 'destination')}
            onTest={() => void runTest('destination')}
          />
        </div>
        <SubmitProblemNotice problem={problem} />
        <WizardActions
          busy={form.formState.isSubmitting}
          onBack={onBack}
          nextDisabled={!bothPassed}
          nextBlockedReason={`Test the connection of ${pending.join(' and ')} first.`}
        />
      </form>
    </FormProvider>
  );
}

/** What the Connections page's own form says of its secrets (the wizard's words are about the task and the draft). */
export interface SavedSecrets {
  password: boolean;
  clientKey: boolean;
  registry: boolean;
}

function connectionSecretHint(saved: boolean): string {
  return saved ? 'A password is saved with the connection: leave empty to keep it.' : 'Sealed on the server when the connection is saved, and never shown again.';
}

function secretHint(saved: boolean, connection?: SavedSecrets): string {
  if (connection) return connectionSecretHint(saved);
  return saved
    ? 'A password is saved with the task: leave empty to keep it.'
    : 'Never kept in the draft: if you leave the wizard before the next step, type it again.';
}

/** `saved`: the connections offered instead of the fields (none on the Connections page itself). */
export function SourceFields({
  task,
  saved,
  connection,
  test,
  stale,
  onTest,
}: {
  task: TaskView | null;
  saved: SavedConnectionView[];
  /** On the Connections page: which secrets the edited connection holds. */
  connection?: SavedSecrets;
  test?: TestState;
  stale: boolean;
  onTest: () => void;
}) {
  const sslMode = useWatch({ name: 'source.sslMode' }) as string;
  const chosen = useChosenConnection('source');
  return (
    <fieldset className="form-section connection">
      <legend>Source database</legend>
      <p className="muted">PostgreSQL 10 or later with wal_level = logical.</p>
      <SavedConnectionChoice target="source" connections={saved} />
      {!chosen && (
        <>
          <div className="field-row">
            <TextField name="source.host" label="Host" autoComplete="off" spellCheck={false} className="field--grow" />
            <TextField name="source.port" label="Port" type="number" inputMode="numeric" min={1} max={65535} asNumber className="field--port" />
          </div>
          <TextField name="source.database" label="Database" autoComplete="off" spellCheck={false} />
          <TextField name="source.username" label="User name" autoComplete="off" spellCheck={false} hint="A role with REPLICATION (or superuser) and SELECT on the tables." />
          <TextField name="source.password" label="Password" type="password" autoComplete="new-password" hint={secretHint(!!task?.source.passwordSet || !!connection?.password, connection)} />
          <SelectField name="source.sslMode" label="SSL mode" options={SSL_MODES.map((m) => ({ value: m, label: SSL_MODE_LABELS[m] }))} />
          {(sslMode === 'verify-ca' || sslMode === 'verify-full') && (
            <TextAreaField name="source.caCert" label="CA certificate (PEM)" rows={4} spellCheck={false} className="field--mono" />
          )}
          {saved !== NO_REUSE && <SaveConnectionField target="source" />}
        </>
      )}
      <ConnectionTest label="Test source connection" test={test} stale={stale} onTest={onTest} />
    </fieldset>
  );
}

export function DestinationFields({
  task,
  saved,
  connection,
  registry,
  test,
  stale,
  onTest,
}: {
  task: TaskView | null;
  saved: SavedConnectionView[];
  connection?: SavedSecrets;
  /** Whether to ask for the schema registry (format avro-registry, or one is set already). */
  registry: boolean;
  test?: TestState;
  stale: boolean;
  onTest: () => void;
}) {
  const protocol = useWatch({ name: 'destination.securityProtocol' }) as string;
  const chosen = useChosenConnection('destination');
  return (
    <fieldset className="form-section connection">
      <legend>Destination Kafka</legend>
      <p className="muted">Apache Kafka 0.11 or later.</p>
      <SavedConnectionChoice target="destination" connections={saved} />
      {!chosen && (
        <>
          <TextField name="destination.brokers" label="Brokers" hint="host:port, comma separated (up to 10)." autoComplete="off" spellCheck={false} />
          <SelectField name="destination.securityProtocol" label="Security protocol" options={SECURITY_PROTOCOLS.map((p) => ({ value: p, label: p }))} />
          {isSasl(protocol) && (
            <>
              <SelectField
                name="destination.saslMechanism"
                label="SASL mechanism"
                options={[{ value: '', label: 'Choose…' }, ...SASL_MECHANISMS.map((m) => ({ value: m, label: m }))]}
              />
              <TextField name="destination.username" label="SASL user name" autoComplete="off" spellCheck={false} />
              <TextField name="destination.password" label="SASL password" type="password" autoComplete="new-password" hint={secretHint(!!task?.destination.passwordSet || !!connection?.password, connection)} />
            </>
          )}
          {isTls(protocol) && (
            <>
              <TextAreaField name="destination.caCert" label="CA certificate (PEM)" rows={4} spellCheck={false} hint="Leave empty to trust the system's CAs." />
              <TextAreaField name="destination.clientCert" label="Client certificate (PEM)" rows={3} spellCheck={false} hint="Optional: for brokers that require client authentication." />
              <TextAreaField
                name="destination.clientKey"
                label="Client private key (PEM)"
                rows={3}
                spellCheck={false}
                hint={
                  connection
                    ? connectionSecretHint(connection.clientKey).replace('password', 'key')
                    : task?.destination.clientKeySet
                      ? 'A key is saved with the task: leave empty to keep it.'
                      : 'Never kept in the draft.'
                }
              />
              <CheckboxField name="destination.verifyHostname" label="Verify the broker host names" />
            </>
          )}
          {registry ? (
            <fieldset className="form-subsection">
              <legend>Schema registry</legend>
              <p className="muted">Format “Avro with a schema registry” registers each table’s schemas here; the connection test checks it too.</p>
              <TextField
                name="destination.schemaRegistry.url"
                label="Registry URL"
                hint="The Confluent-compatible API base, e.g. https://registry:8081 or …/apis/ccompat/v7 for Apicurio."
                autoComplete="off"
                spellCheck={false}
              />
              <TextField name="destination.schemaRegistry.username" label="Registry user name" hint="Leave empty for a registry without login." autoComplete="off" spellCheck={false} />
              <TextField
                name="destination.schemaRegistry.password"
                label="Registry password"
                type="password"
                autoComplete="new-password"
                hint={secretHint(!!task?.destination.schemaRegistry?.passwordSet || !!connection?.registry, connection)}
              />
            </fieldset>
          ) : (
            <p className="muted">A schema registry is asked for here (or at step 3, where the format is chosen) when the message format is “Avro with a schema registry”.</p>
          )}
          {saved !== NO_REUSE && <SaveConnectionField target="destination" />}
        </>
      )}
      <ConnectionTest label="Test destination connection" test={test} stale={stale} onTest={onTest} />
    </fieldset>
  );
}

export function ConnectionTest({ label, test, stale, onTest }: { label: string; test?: TestState; stale: boolean; onTest: () => void }) {
  return (
    <div className="connection-test">
      <button type="button" className="button" onClick={onTest} disabled={test?.state === 'running'}>
        {test?.state === 'running' ? 'Testing…' : label}
      </button>
      <div role="status" aria-live="polite" className="connection-test__result">
        {test?.state === 'running' && (
          <p className="muted">
            <span className="spinner spinner--inline" aria-hidden="true" /> Connecting (up to 10 s)…
          </p>
        )}
        {test?.state === 'error' && (
          <p className="test-result test-result--failed">
            <ResultIcon ok={false} />
            <span>The test could not run: {test.error instanceof Error ? test.error.message : String(test.error)}</span>
          </p>
        )}
        {test?.state === 'done' && <TestResultText result={test.result} stale={stale} />}
      </div>
    </div>
  );
}

export function TestResultText({ result, stale }: { result: ConnectionTestResult; stale: boolean }) {
  if (stale) return <p className="muted">The fields changed since the last test: test again.</p>;
  if (result.ok) {
    const details = result.source
      ? `PostgreSQL ${result.source.version.split(' ')[0]}${result.source.inRecovery ? ', a standby' : ''}${result.source.ssl ? ', over TLS' : ''}`
      : result.destination
        ? `Kafka ${result.destination.brokerVersion}, ${result.destination.brokerCount} broker${result.destination.brokerCount === 1 ? '' : 's'}`
        : result.message;
    // The destination's test of format avro-registry checks the registry too: say that it answered.
    const registry = result.destination && result.message.includes('; schema registry ') ? `; ${result.message.slice(result.message.indexOf('; schema registry ') + 2)}` : '';
    return (
      <div className="test-result">
        <p className="test-result--passed">
          <ResultIcon ok />
          <span>
            Connection succeeded: {details}
            {registry} <span className="muted">({result.durationMs} ms)</span>
          </span>
        </p>
        {result.warnings?.map((w) => (
          <p key={w} className="notice notice--warning">
            Warning: {w}
          </p>
        ))}
      </div>
    );
  }
  return (
    <div className="test-result test-result--failed">
      <p>
        <ResultIcon ok={false} />
        <span>Connection failed: {result.message}</span>
      </p>
      {result.suggestion && <p className="test-result__suggestion">{result.suggestion}</p>}
    </div>
  );
}

function ResultIcon({ ok }: { ok: boolean }) {
  return (
    <span className={ok ? 'result-icon result-icon--passed' : 'result-icon result-icon--failed'} aria-hidden="true">
      {ok ? '✓' : '✕'}
    </span>
  );
}
