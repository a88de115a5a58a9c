import { useEffect } from 'react';
import { useController, useFormContext, useWatch } from 'react-hook-form';
import { DML_OPERATIONS, type DmlOperation } from '@walbridge/contracts';
import { SelectField, TextField, type FieldSuggestion } from '../../ui/form-fields';
import { toggleColumn } from './pick-lists';
import type { PolicyValues } from './wizard-values';

/*
 * A table's own settings (topic, operations, row filter, columns): the wizard's object tree and
 * a running task's object editor open them under the tree.
 */

export interface TableSettingsProps {
  index: number;
  qualified: string;
  scope: PolicyValues['objectScope'];
  topics?: FieldSuggestion[];
  /** The table's columns as the source has them (empty when unknown). */
  columns: string[];
  onRemoveOverride: () => void;
}

export function TableSettings({ index, qualified, scope, topics, columns, onRemoveOverride }: TableSettingsProps) {
  const columnMode = useWatch({ name: `tables.${index}.columnMode` }) as string;
  const { clearErrors } = useFormContext();
  // A complaint about the column list no longer applies once the list is not used.
  useEffect(() => {
    if (columnMode === 'all') clearErrors([`tables.${index}.includeColumns`, `tables.${index}.excludeColumns`, `tables.${index}.columns`]);
  }, [columnMode, index, clearErrors]);
  return (
    <div className="table-settings" role="group" aria-label={`Own settings of table ${qualified}`}>
      <TextField
        name={`tables.${index}.topic`}
        label="Topic for this table"
        hint="Optional: overrides the topic policy for this table. Pick a topic of the cluster or type a new name."
        autoComplete="off"
        spellCheck={false}
        suggestions={topics}
      />
      <TableOperations index={index} />
      <TextField
        name={`tables.${index}.filter`}
        label="Row filter"
        hint={<>Optional, e.g. <code>status = 'paid' AND total &gt; 100</code>. Rows that do not match are not sent.</>}
        autoComplete="off"
        spellCheck={false}
      />
      <div className="field-row">
        <SelectField
          name={`tables.${index}.columnMode`}
          label="Columns"
          options={[
            { value: 'all', label: 'All columns' },
            { value: 'include', label: 'Only these columns' },
            { value: 'exclude', label: 'All but these columns' },
          ]}
        />
        {columnMode !== 'all' && (
          <TextField
            name={`tables.${index}.columns`}
            label="Column names"
            hint="Comma separated."
            autoComplete="off"
            spellCheck={false}
            className="field--grow"
            errorPaths={[`tables.${index}.includeColumns`, `tables.${index}.excludeColumns`]}
          />
        )}
      </div>
      {columnMode !== 'all' && columns.length > 0 && <ColumnPicker index={index} columns={columns} include={columnMode === 'include'} />}
      {scope === 'database' && (
        <button type="button" className="button button--small" onClick={onRemoveOverride}>
          Use the task’s settings for this table
        </button>
      )}
    </div>
  );
}

function TableOperations({ index }: { index: number }) {
  const { field, fieldState } = useController({ name: `tables.${index}.dmlOperations` });
  const taskOperations = useWatch({ name: 'dmlOperations' }) as DmlOperation[];
  const own = Array.isArray(field.value);
  const value = (field.value ?? []) as DmlOperation[];
  return (
    <fieldset className="choice-group">
      <legend>Operations for this table</legend>
      <label className="choice">
        <input type="checkbox" checked={own} onChange={(e) => field.onChange(e.target.checked ? [...(taskOperations ?? DML_OPERATIONS)] : null)} />
        <span>Choose operations for this table (else the task’s: {(taskOperations ?? []).join(', ') || 'none'})</span>
      </label>
      {own && (
        <div className="choice-group__options">
          {DML_OPERATIONS.map((op) => (
            <label key={op} className="choice choice--inline">
              <input
                type="checkbox"
                checked={value.includes(op)}
                onChange={(e) => field.onChange(e.target.checked ? DML_OPERATIONS.filter((o) => o === op || value.includes(o)) : value.filter((o) => o !== op))}
              />
              <span>{op}</span>
            </label>
          ))}
        </div>
      )}
      {fieldState.error?.message && (
        <p className="field__error" role="alert">
          {fieldState.error.message}
        </p>
      )}
    </fieldset>
  );
}

/** The table's columns to tick instead of typing them; the text box above stays the list. */
function ColumnPicker({ index, columns, include }: { index: number; columns: string[]; include: boolean }) {
  const { setValue } = useFormContext();
  const list = (useWatch({ name: `tables.${index}.columns` }) as string | undefined) ?? '';
  const chosen = new Set(
    list
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean),
  );
  return (
    <fieldset className="choice-group">
      <legend>{include ? 'Columns to send' : 'Columns to leave out'} (from the source table)</legend>
      <div className="choice-group__options">
        {columns.map((c) => (
          <label key={c} className="choice choice--inline">
            <input
              type="checkbox"
              checked={chosen.has(c)}
              onChange={(e) => setValue(`tables.${index}.columns`, toggleColumn(list, c, e.target.checked, columns), { shouldDirty: true, shouldValidate: false })}
            />
            <span className="mono">{c}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
