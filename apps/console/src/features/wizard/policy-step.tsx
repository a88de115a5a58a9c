import { useQuery } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { FormProvider, useController, useForm, useWatch } from 'react-hook-form';
import { DML_OPERATIONS, policySchema, type DmlOperation } from '@walbridge/contracts';
import { getSourceObjects } from '../../api/source-objects.api';
import { CheckboxField, RadioGroupField, SelectField, TextField, SubmitProblemNotice } from '../../ui/form-fields';
import { FormSection } from '../../ui/form-section';
import { ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { ObjectTree } from './object-tree';
import { zodFormResolver, useFormChanges, useApiSubmit } from '../../ui/zod-form';
import { useTopicSuggestions } from './pick-lists';
import { WizardActions } from './wizard-actions';
import { RegistryAtFormat } from './registry-at-format';
import { policyInput, type PolicyValues, type SchemaRegistryValues } from './wizard-values';

interface PolicyStepProps {
  taskId: string;
  /** The saved destination has a schema registry (format avro-registry needs one). */
  registrySet: boolean;
  /** Saves a schema registry typed at this step to the destination. */
  onSaveRegistry: (values: SchemaRegistryValues) => Promise<void>;
  defaultSlotName: string;
  values: PolicyValues;
  onChange: (values: PolicyValues) => void;
  onNext: (values: PolicyValues) => Promise<void>;
  onBack: () => void;
}

const POLICY_FIELD = /^(dmlOperations|slotName|objectScope|schemas(\.\d+)?|tables(\.\d+(\.\w+)*)?|topicPolicy\.\w+|partitionPolicy|format|formatOptions(\.\w+)?|compression|schemaChangeTopic|syncMode)$/;

/** The wire formats and, for each, who reads it without code (README "Formats" shows the messages). */
const FORMATS: { value: PolicyValues['format']; label: string; readers: string }[] = [
  { value: 'json', label: 'JSON (DRS envelope)', readers: 'Consumers written for DRS; one JSON envelope per change.' },
  { value: 'avro', label: 'Avro (fixed envelope schema)', readers: 'Avro consumers holding the schema served at /api/v1/formats/avro-schema.' },
  {
    value: 'debezium-json',
    label: 'Debezium JSON',
    readers: 'Debezium sinks (JDBC), Kafka Connect, Flink debezium-json, ClickHouse, Materialize, RisingWave, Spark.',
  },
  { value: 'canal-json', label: 'Canal JSON', readers: 'Flink canal-json and consumers of Canal / Alibaba DTS topics.' },
  {
    value: 'avro-registry',
    label: 'Avro with a schema registry',
    readers: 'Confluent / Apicurio Avro deserializers, Flink debezium-avro-confluent, Kafka Connect with the Avro converter (the destination’s schema registry: asked for here if it has none).',
  },
];

/** debezium-json's options, named after the Debezium settings they stand for. */
function DebeziumOptionsFields() {
  return (
    <div className="field-row">
      <CheckboxField name="formatOptions.includeSchema" label="Include schema" hint="Key and value as {schema, payload} (the JSON converter's schemas.enable); the JDBC sink needs it." />
      <CheckboxField name="formatOptions.tombstones" label="Tombstones after deletes" hint="A null-valued message with the key after each delete, for compacted topics." />
      <SelectField
        name="formatOptions.decimalHandling"
        label="Decimals"
        options={[
          { value: 'precise', label: 'Precise (Connect Decimal bytes)' },
          { value: 'string', label: 'String' },
        ]}
        hint="decimal.handling.mode; Flink reads strings."
      />
      <SelectField
        name="formatOptions.timeHandling"
        label="Dates and times"
        options={[
          { value: 'micros', label: 'Epoch days / microseconds' },
          { value: 'iso', label: 'ISO-8601 strings' },
        ]}
        hint="Debezium's numbers, or strings Flink and Spark parse."
      />
    </div>
  );
}

/** Step 3: what is synchronized, and how it lands in Kafka. */
export function PolicyStep({ taskId, registrySet, onSaveRegistry, defaultSlotName, values, onChange, onNext, onBack }: PolicyStepProps) {
  const form = useForm<PolicyValues>({ defaultValues: values, resolver: zodFormResolver(policyInput, policySchema) });
  useFormChanges(form, onChange);
  const { run, problem } = useApiSubmit(form, (p) => POLICY_FIELD.test(p), 'policy.');
  const objects = useQuery({ queryKey: ['tasks', 'source-objects', taskId], queryFn: ({ signal }) => getSourceObjects(taskId, signal), staleTime: 60_000 });
  const scope = useWatch({ control: form.control, name: 'objectScope' });
  const topicMode = useWatch({ control: form.control, name: 'topicPolicy.mode' });
  const format = useWatch({ control: form.control, name: 'format' });
  const topics = useTopicSuggestions(taskId);
  // Asked once the format needs it and the destination has none; kept while this step is shown,
  // so saving the registry does not take the fields away under the user's hands.
  const [askRegistry, setAskRegistry] = useState(false);
  const [registryTested, setRegistryTested] = useState(false);
  const onTested = useCallback((ok: boolean) => setRegistryTested(ok), []);
  if (format === 'avro-registry' && !registrySet && !askRegistry) setAskRegistry(true);
  const registryAsked = format === 'avro-registry' && askRegistry;
  const registryMissing = registryAsked && !registryTested;

  return (
    <FormProvider {...form}>
      <form className="wizard-form" onSubmit={run(onNext)} noValidate>
        <FormSection title="Synchronization">
          <RadioGroupField
            name="syncMode"
            legend="Synchronization type"
            options={[
              {
                value: 'full+incremental',
                label: 'Full + incremental',
                hint: 'The rows already in the tables first (read in chunks, without locks, while changes keep streaming), then every change.',
              },
              { value: 'incremental', label: 'Incremental', hint: 'Only changes committed after the task starts; existing rows are not sent.' },
            ]}
          />
          <DmlOperationsField />
          <TextField
            name="slotName"
            label="Replication slot name"
            hint={
              <>
                Optional: lowercase letters, digits and _, at most 63, not starting with a digit. Default <code>{defaultSlotName}</code>.
              </>
            }
            placeholder={defaultSlotName}
            autoComplete="off"
            spellCheck={false}
          />
        </FormSection>

        <FormSection title="Objects">
          <RadioGroupField
            name="objectScope"
            legend="Synchronize"
            options={[
              { value: 'tables', label: 'Selected tables', hint: 'Tick the tables below.' },
              { value: 'database', label: 'Whole database', hint: 'Every table, or every table of the schemas ticked below; new tables are included.' },
            ]}
          />
          {objects.isPending ? (
            <LoadingPanel>Reading the schemas and tables of the source…</LoadingPanel>
          ) : objects.error ? (
            <ErrorPanel
              title="Could not read the source's tables"
              error={objects.error}
              action={
                <button type="button" className="button" onClick={() => void objects.refetch()}>
                  Try again
                </button>
              }
            />
          ) : (
            <ObjectTree objects={objects.data} scope={scope} topics={topics} />
          )}
        </FormSection>

        <FormSection title="Kafka">
          <RadioGroupField
            name="topicPolicy.mode"
            legend="Topic policy"
            options={[
              { value: 'specific', label: 'One specific topic', hint: 'Every change goes to one existing topic.' },
              { value: 'auto', label: 'Topics generated by name', hint: 'One topic per table (or schema), created when missing.' },
            ]}
          />
          {topicMode === 'specific' ? (
            <TextField name="topicPolicy.topic" label="Topic" hint="An existing topic: pick one of the cluster's or type its name." autoComplete="off" spellCheck={false} suggestions={topics} />
          ) : (
            <div className="field-row">
              <TextField
                name="topicPolicy.nameFormat"
                label="Topic name format"
                hint={
                  <>
                    <code>$database$</code>, <code>$schema$</code> and <code>$tablename$</code> are replaced; other characters than A–Z a–z 0–9 . _ - become _.
                  </>
                }
                autoComplete="off"
                spellCheck={false}
                className="field--grow"
              />
              <TextField name="topicPolicy.partitions" label="Partitions" type="number" min={1} max={1000} asNumber className="field--number" />
              <TextField name="topicPolicy.replicationFactor" label="Replication factor" type="number" min={1} max={32} asNumber className="field--number" />
            </div>
          )}
          <div className="field-row">
            <SelectField
              name="partitionPolicy"
              label="Partition policy"
              options={[
                { value: 'table', label: 'Hash of database.schema.table' },
                { value: 'primaryKey', label: 'Hash of the primary key values' },
                { value: 'schema', label: 'Hash of database.schema' },
                { value: 'zero', label: 'Partition 0' },
              ]}
              hint="Messages of one key keep their order with any of these."
            />
            <SelectField
              name="format"
              label="Message format"
              options={FORMATS.map(({ value, label }) => ({ value, label }))}
              hint={FORMATS.find((f) => f.value === format)?.readers}
            />
            <SelectField
              name="compression"
              label="Compression"
              options={[
                { value: 'none', label: 'None' },
                { value: 'gzip', label: 'gzip' },
              ]}
            />
          </div>
          {format === 'debezium-json' && <DebeziumOptionsFields />}
          {registryAsked && <RegistryAtFormat taskId={taskId} onSave={onSaveRegistry} onTested={onTested} />}
          <TextField
            name="schemaChangeTopic"
            label="Schema-change topic"
            hint="Optional: a topic that gets a JSON message (isDdl true, the new columns) whenever a captured table's columns change. Blank: only the task log says so."
            autoComplete="off"
            spellCheck={false}
            suggestions={topics}
          />
        </FormSection>
        <SubmitProblemNotice problem={problem} />
        <WizardActions
          busy={form.formState.isSubmitting}
          onBack={onBack}
          nextDisabled={registryMissing}
          nextBlockedReason="Save and test the schema registry first: format “Avro with a schema registry” needs it."
        />
      </form>
    </FormProvider>
  );
}

/** What leaving DELETE and/or TRUNCATE out means downstream. */
function removalWarning(value: DmlOperation[]): string {
  const noDelete = !value.includes('DELETE');
  const noTruncate = !value.includes('TRUNCATE');
  const [ops, how] = noDelete && noTruncate ? ['DELETE and TRUNCATE', 'deleted or truncated'] : noDelete ? ['DELETE', 'deleted'] : ['TRUNCATE', 'truncated'];
  return `Without ${ops}, rows ${how} on the source stay in Kafka’s consumers: the destination drifts from the source.`;
}

function DmlOperationsField() {
  const { field, fieldState } = useController<PolicyValues, 'dmlOperations'>({ name: 'dmlOperations' });
  const value = (field.value ?? []) as DmlOperation[];
  const error = fieldState.error?.message;
  const set = (op: DmlOperation, on: boolean) => field.onChange(on ? DML_OPERATIONS.filter((o) => o === op || value.includes(o)) : value.filter((o) => o !== op));
  return (
    <fieldset className="choice-group" aria-describedby={!value.includes('DELETE') || !value.includes('TRUNCATE') ? 'dml-delete-warning' : undefined}>
      <legend>DML operations</legend>
      <div className="choice-group__options">
        {DML_OPERATIONS.map((op) => (
          <label key={op} className="choice choice--inline">
            <input type="checkbox" checked={value.includes(op)} onChange={(e) => set(op, e.target.checked)} onBlur={field.onBlur} />
            <span>{op}</span>
          </label>
        ))}
      </div>
      {(!value.includes('DELETE') || !value.includes('TRUNCATE')) && value.length > 0 && (
        <p className="notice notice--warning" id="dml-delete-warning" role="status">
          {removalWarning(value)} The precheck will ask you to confirm this.
        </p>
      )}
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
