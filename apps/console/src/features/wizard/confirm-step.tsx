import { FormProvider, useController, useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import { alarmsSchema, retrySchema, startSchema, throttleSchema, type TaskView } from '@walbridge/contracts';
import { RunSettingsFields } from '../task-edit/run-settings-fields';
import { isMissingEndpoint } from '../../api/api-client';
import { CheckboxField, RadioGroupField, TextField, SubmitProblemNotice } from '../../ui/form-fields';
import { FormSection } from '../../ui/form-section';
import { useChannels } from '../notifications/use-notifications.query';
import { TaskSummary } from '../tasks/task-summary';
import { zodFormResolver, useFormChanges, useApiSubmit } from '../../ui/zod-form';
import { ApiRequestPanel } from './api-request-panel';
import { WizardActions } from './wizard-actions';
import { confirmInput, type ConfirmValues } from './wizard-values';

const confirmSchema = z
  .object({
    start: startSchema,
    alarms: alarmsSchema,
    throttle: throttleSchema,
    retry: retrySchema,
    agree: z.literal(true, { errorMap: () => ({ message: 'Read the notes above and tick this box to submit' }) }),
  })
  .superRefine((v, ctx) => {
    // The API starts a past time at once; here that is almost certainly a typo.
    if (v.start.mode === 'at' && v.start.at && Date.parse(v.start.at) <= Date.now()) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['start', 'at'], message: 'the start time must be in the future' });
    }
  });

const toInput = (v: ConfirmValues) => ({ ...confirmInput(v), agree: v.agree });

interface ConfirmStepProps {
  task: TaskView;
  values: ConfirmValues;
  onChange: (values: ConfirmValues) => void;
  onSubmit: (values: ConfirmValues) => Promise<void>;
  onBack: () => void;
}

/** Step 5: everything at a glance, when to start, who hears about trouble, and Submit. */
export function ConfirmStep({ task, values, onChange, onSubmit, onBack }: ConfirmStepProps) {
  const form = useForm<ConfirmValues>({ defaultValues: values, resolver: zodFormResolver(toInput, confirmSchema) });
  useFormChanges(form, onChange);
  const { run, problem } = useApiSubmit(form, (p) => /^(start\.(mode|at)|alarms\.\w+(\.\d+)?|throttle\.\w+|retry\.\w+|agree)$/.test(p));
  const startMode = useWatch({ control: form.control, name: 'start.mode' });
  const notify = useWatch({ control: form.control, name: 'alarms.notify' });

  return (
    <FormProvider {...form}>
      <form className="wizard-form" onSubmit={run(onSubmit)} noValidate>
        <TaskSummary task={task} />

        <FormSection title="Start">
          <RadioGroupField
            name="start.mode"
            legend="Start the task"
            options={[
              { value: 'now', label: 'Now' },
              { value: 'at', label: 'At a time' },
            ]}
          />
          {startMode === 'at' && <TextField name="start.at" label="Start at" type="datetime-local" hint="In this browser's time zone." />}
        </FormSection>

        <FormSection title="Alarms and notifications">
          <CheckboxField name="alarms.notify" label="Send notifications" hint="The console's inbox always gets them; channels send them on." />
          {notify && <ChannelPicker />}
          <div className="field-row">
            <TextField
              name="alarms.delayThresholdSeconds"
              label="Delay threshold (seconds)"
              type="number"
              min={0}
              max={3600}
              asNumber
              hint="0–3600; 0 turns the delay alarm off."
              className="field--number"
            />
            <TextField
              name="alarms.delaySustainSeconds"
              label="Alarm after the delay lasts (seconds)"
              type="number"
              min={10}
              max={86400}
              asNumber
              hint="10–86400 (default 360)."
              className="field--number"
            />
          </div>
          <CheckboxField name="alarms.dataExceptionNotify" label="Notify on data exceptions" hint="A change that cannot be delivered (too large, not encodable)." />
          <TextField
            name="alarms.abnormalStopDays"
            label="Stop an abnormal task after (days)"
            type="number"
            min={14}
            max={100}
            asNumber
            hint="14–100: a task that keeps failing is stopped then, so its slot stops holding WAL."
            className="field--number"
          />
        </FormSection>

        <FormSection title="Throttle, retry and WAL alarm">
          <RunSettingsFields delayAlarm={false} />
        </FormSection>

        <section className="form-section agreement">
          <p>
            Once started, the task keeps a replication slot <code>{task.slotName}</code> on the source. While the task is paused or failing, the
            slot keeps WAL on the source’s disk; stopping the task drops it.
          </p>
          <CheckboxField name="agree" label="I have read the notes above and the precheck results" />
        </section>
        <ApiRequestPanel task={task} />
        <SubmitProblemNotice problem={problem} />
        <WizardActions busy={form.formState.isSubmitting} onBack={onBack} nextLabel="Submit" />
      </form>
    </FormProvider>
  );
}

function ChannelPicker() {
  const channels = useChannels();
  const { field, fieldState } = useController<ConfirmValues, 'alarms.channelIds'>({ name: 'alarms.channelIds' });
  const selected = (field.value ?? []) as string[];
  if (channels.isPending) return <p className="muted">Loading the notification channels…</p>;
  if (channels.error) {
    return (
      <p className="muted">
        {isMissingEndpoint(channels.error)
          ? 'This server has no notification channels (webhook, e-mail) yet: notifications go to the console’s inbox.'
          : `Could not load the notification channels: ${channels.error.message}`}
      </p>
    );
  }
  if (!channels.data.length) return <p className="muted">No channels are set up: notifications go to the console’s inbox.</p>;
  return (
    <fieldset className="choice-group">
      <legend>Channels</legend>
      <div className="choice-group__options">
        {channels.data.map((c) => (
          <label key={c.id} className="choice choice--inline">
            <input
              type="checkbox"
              checked={selected.includes(c.id)}
              onChange={(e) => field.onChange(e.target.checked ? [...selected, c.id] : selected.filter((id) => id !== c.id))}
            />
            <span>
              {c.name} <span className="muted">({c.type})</span>
            </span>
          </label>
        ))}
      </div>
      {fieldState.error?.message && <p className="field__error">{fieldState.error.message}</p>}
    </fieldset>
  );
}
