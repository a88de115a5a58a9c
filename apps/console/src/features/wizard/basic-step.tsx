import { FormProvider, useFieldArray, useForm } from 'react-hook-form';
import { createTaskSchema } from '@walbridge/contracts';
import { TextAreaField, TextField, SubmitProblemNotice } from '../../ui/form-fields';
import { zodFormResolver, useFormChanges, useApiSubmit } from '../../ui/zod-form';
import { WizardActions } from './wizard-actions';
import { basicInput, type BasicValues } from './wizard-values';

const basicSchema = createTaskSchema.pick({ name: true, description: true, tags: true });
const MAX_TAGS = 20;

interface BasicStepProps {
  values: BasicValues;
  onChange: (values: BasicValues) => void;
  onNext: (values: BasicValues) => Promise<void>;
}

/** Step 1: what the task is called and how it is found again. */
export function BasicStep({ values, onChange, onNext }: BasicStepProps) {
  const form = useForm<BasicValues>({ defaultValues: values, resolver: zodFormResolver(basicInput, basicSchema) });
  const tags = useFieldArray({ control: form.control, name: 'tags' });
  useFormChanges(form, onChange);
  const { run, problem } = useApiSubmit(form, (p) => p === 'name' || p === 'description' || /^tags\.\d+\.(key|value)$/.test(p));
  const submit = run(onNext);

  return (
    <FormProvider {...form}>
      <form className="wizard-form" onSubmit={submit} noValidate aria-labelledby="wizard-step-title">
        <section className="form-section">
          <TextField name="name" label="Task name" hint="4–50 characters: a letter first, then letters, digits, - and _." autoComplete="off" required />
          <TextAreaField name="description" label="Description" hint="Optional, up to 256 characters, without ! = < > ' & &quot; \." rows={3} />
        </section>
        <fieldset className="form-section">
          <legend>Tags</legend>
          <p className="field__hint">Optional key/value pairs to find tasks by (up to {MAX_TAGS}).</p>
          {tags.fields.length > 0 && (
            <ul className="tag-rows">
              {tags.fields.map((field, index) => (
                <li key={field.id} className="tag-row">
                  <TextField name={`tags.${index}.key`} label={`Tag ${index + 1} key`} autoComplete="off" />
                  <TextField name={`tags.${index}.value`} label={`Tag ${index + 1} value`} autoComplete="off" />
                  <button type="button" className="button" onClick={() => tags.remove(index)} aria-label={`Remove tag ${index + 1}`}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
          <button type="button" className="button" disabled={tags.fields.length >= MAX_TAGS} onClick={() => tags.append({ key: '', value: '' })}>
            Add tag
          </button>
        </fieldset>
        <SubmitProblemNotice problem={problem} />
        <WizardActions busy={form.formState.isSubmitting} />
      </form>
    </FormProvider>
  );
}
