import { useEffect, useState } from 'react';
import { FormProvider, useForm, useWatch } from 'react-hook-form';
import { schemaRegistrySchema } from '@walbridge/contracts';
import { testTaskConnection } from '../../api/connections.api';
import { TextField } from '../../ui/form-fields';
import { zodFormResolver } from '../../ui/zod-form';
import { ConnectionTest, type TestState } from './source-destination-step';
import { EMPTY_SCHEMA_REGISTRY, type SchemaRegistryValues } from './wizard-values';

const registryInput = (v: SchemaRegistryValues) => ({ url: v.url.trim(), username: v.username.trim() || undefined, password: v.password || undefined });

interface RegistryAtFormatProps {
  taskId: string;
  /** Saves the registry to the task's destination (the password is sealed there and never kept in the draft). */
  onSave: (values: SchemaRegistryValues) => Promise<void>;
  /** Whether the saved registry answered its test: step 3's Next waits for it. */
  onTested: (ok: boolean) => void;
}

/**
 * Step 3 with format avro-registry and a destination without a registry: the registry is asked
 * for where the format is chosen (as DTS asks for its schema registry next to the Kafka data
 * format), saved to the destination and tested with it, so nobody has to go back to step 2.
 */
export function RegistryAtFormat({ taskId, onSave, onTested }: RegistryAtFormatProps) {
  const form = useForm<SchemaRegistryValues>({ defaultValues: EMPTY_SCHEMA_REGISTRY, resolver: zodFormResolver(registryInput, schemaRegistrySchema) });
  const [test, setTest] = useState<TestState | undefined>();
  const current = useWatch({ control: form.control }) as SchemaRegistryValues;
  const key = JSON.stringify(current);
  const stale = !!test && test.key !== key;
  // Fields changed after a test: Next waits for a new one.
  useEffect(() => {
    if (stale) onTested(false);
  }, [stale, onTested]);

  const run = async () => {
    if (!(await form.trigger())) {
      setTest(undefined);
      onTested(false);
      return;
    }
    setTest({ state: 'running', key });
    try {
      await onSave(form.getValues());
      const result = await testTaskConnection(taskId, 'destination');
      setTest({ state: 'done', key, result });
      onTested(result.ok);
    } catch (error) {
      setTest({ state: 'error', key, error });
      onTested(false);
    }
  };

  return (
    <FormProvider {...form}>
      <fieldset className="form-subsection" aria-describedby="registry-at-format-note">
        <legend>Schema registry</legend>
        <p className="muted" id="registry-at-format-note">
          The destination has no schema registry yet: this format registers each table’s schemas there. Saved with the destination (also shown at step 2) and tested with
          it.
        </p>
        <TextField
          name="url"
          label="Registry URL"
          hint="The Confluent-compatible API base, e.g. https://registry:8081 or …/apis/ccompat/v7 for Apicurio."
          autoComplete="off"
          spellCheck={false}
        />
        <TextField name="username" label="Registry user name" hint="Leave empty for a registry without login." autoComplete="off" spellCheck={false} />
        <TextField name="password" label="Registry password" type="password" autoComplete="new-password" hint="Never kept in the draft." />
        <ConnectionTest label="Save and test the schema registry" test={test} stale={stale} onTest={() => void run()} />
      </fieldset>
    </FormProvider>
  );
}
