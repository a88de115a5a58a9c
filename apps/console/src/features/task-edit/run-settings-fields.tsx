import { TextField } from '../../ui/form-fields';
import { fieldSchema, numberInputProps, numberLimits, rangeHint } from '../../ui/schema-limits';
import { RUN_SETTINGS_SCHEMAS } from './run-settings-values';

type Group = keyof typeof RUN_SETTINGS_SCHEMAS;

/** A number field whose bounds and hint are the API's rule for `group.field`. */
function LimitedNumberField({ group, field, label, hint, unit }: { group: Group; field: string; label: string; hint: string; unit?: string }) {
  const limits = numberLimits(fieldSchema(RUN_SETTINGS_SCHEMAS[group], field));
  return (
    <TextField
      name={`${group}.${field}`}
      label={label}
      type="number"
      {...numberInputProps(limits)}
      asNumber
      hint={`${rangeHint(limits, unit)}. ${hint}`}
      className="field--number"
    />
  );
}

/** Throttle, retry windows and the alarm limits: the wizard's last step and a running task's settings. */
export function RunSettingsFields({ delayAlarm = true }: { /** The wizard's step 5 has its own delay alarm fields. */ delayAlarm?: boolean }) {
  return (
    <>
      <fieldset className="choice-group">
        <legend>Throttle</legend>
        <div className="field-row">
          <LimitedNumberField group="throttle" field="rowsPerSecond" label="Rows per second" hint="Blank: no limit." />
          <LimitedNumberField group="throttle" field="mbPerSecond" label="MB per second" hint="Blank: no limit." />
          <LimitedNumberField group="throttle" field="snapshotRowsPerSecond" label="Snapshot rows per second" hint="Full synchronization and backfills; blank: no limit." />
        </div>
      </fieldset>
      <fieldset className="choice-group">
        <legend>Retry windows</legend>
        <div className="field-row">
          <LimitedNumberField group="retry" field="connectionMinutes" label="Connection failures (minutes)" hint="How long a lost source or Kafka is retried." />
          <LimitedNumberField group="retry" field="otherMinutes" label="Other failures (minutes)" hint="Shorter than the connection window." />
        </div>
      </fieldset>
      <fieldset className="choice-group">
        <legend>Alarm limits</legend>
        <div className="field-row">
          {delayAlarm && (
            <>
              <LimitedNumberField group="alarms" field="delayThresholdSeconds" label="Delay threshold (seconds)" hint="0 turns the delay alarm off." />
              <LimitedNumberField group="alarms" field="delaySustainSeconds" label="Alarm after the delay lasts (seconds)" hint="How long the delay stays above the threshold." />
            </>
          )}
          <LimitedNumberField group="alarms" field="walRetentionLimitMb" label="WAL retention alarm (MB)" hint="WAL the slot keeps on the source; 0 off, blank: the server's limit." />
        </div>
      </fieldset>
    </>
  );
}
