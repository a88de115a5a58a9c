import { useMemo, useState, type ReactNode } from 'react';
import { useController, useFieldArray, useFormContext, useFormState } from 'react-hook-form';
import type { SourceObjectsView, SourceTableView } from '@walbridge/contracts';
import { firstMessage } from '../../ui/form-errors';
import type { FieldSuggestion } from '../../ui/form-fields';
import { formatInteger } from '../../ui/format';
import { TableSettings } from './table-settings';
import type { PolicyValues, TableValues } from './wizard-values';

/** Rows rendered per schema: a source with thousands of tables is narrowed by the search. */
const ROWS_PER_SCHEMA = 200;

const tableKey = (schema: string, table: string) => `${schema}\u0000${table}`;

function newTable(schema: string, table: string): TableValues {
  return { schema, table, topic: '', dmlOperations: null, filter: '', columnMode: 'all', columns: '' };
}

/** Why a table cannot be replicated at all (so it cannot be ticked). */
function unavailableReason(t: SourceTableView): string | null {
  if (t.temporary) return 'temporary table: not replicated';
  if (t.unlogged) return 'unlogged table: not written to the WAL, so not replicated';
  return null;
}

/** What the precheck will say about a table, ahead of time. */
function tableWarnings(t: SourceTableView): string[] {
  const warnings: string[] = [];
  if (!t.primaryKey.length && t.replicaIdentity !== 'full') warnings.push('no primary key: needs REPLICA IDENTITY FULL, or the precheck fails');
  if (!t.selectable) warnings.push('the task’s user may not SELECT it');
  return warnings;
}

interface ObjectTreeProps {
  objects: SourceObjectsView;
  scope: PolicyValues['objectScope'];
  /** The cluster's topics, offered in a table's topic field. */
  topics?: FieldSuggestion[];
}

/**
 * The searchable tree of schemas and tables. With table scope, ticking a table selects it; with
 * database scope, whole schemas are chosen and a table's row only holds its own settings.
 */
export function ObjectTree({ objects, scope, topics }: ObjectTreeProps) {
  const { control } = useFormContext<PolicyValues>();
  // The field array's own list, not a watched copy: it changes in the same render as append and
  // remove, so a ticked box never shows its old state for a frame.
  const tables = useFieldArray({ control, name: 'tables' });
  const values = tables.fields;
  const schemas = useController({ control, name: 'schemas' });
  const { errors } = useFormState({ control });
  const [query, setQuery] = useState('');
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set(objects.schemas.length === 1 ? [objects.schemas[0].name] : []));
  const [editing, setEditing] = useState<string | null>(null);

  const indexByKey = useMemo(() => new Map(values.map((t, i) => [tableKey(t.schema, t.table), i])), [values]);
  const needle = query.trim().toLowerCase();
  const filtered = useMemo(
    () =>
      objects.schemas
        .map((s) => ({
          schema: s,
          tables: needle ? s.tables.filter((t) => `${s.name}.${t.name}`.toLowerCase().includes(needle)) : s.tables,
        }))
        .filter((s) => !needle || s.tables.length > 0 || s.schema.name.toLowerCase().includes(needle)),
    [objects, needle],
  );
  const shownCount = filtered.reduce((n, s) => n + s.tables.length, 0);
  const known = useMemo(() => new Set(objects.schemas.flatMap((s) => s.tables.map((t) => tableKey(s.name, t.name)))), [objects]);
  const missing = values.map((t, i) => ({ t, i })).filter(({ t }) => !known.has(tableKey(t.schema, t.table)));
  const selectedSchemas = (schemas.field.value ?? []) as string[];
  const tablesError = (errors.tables as { message?: string; root?: { message?: string } } | undefined)?.message ?? (errors.tables as { root?: { message?: string } } | undefined)?.root?.message;
  const schemasError = firstMessage(schemas.fieldState.error);

  const editingIndex = editing === null ? undefined : indexByKey.get(editing);
  const editingName = editing?.replace('\u0000', '.');
  const editingColumns = useMemo(() => {
    const [schema, table] = editing?.split('\u0000') ?? [];
    return objects.schemas.find((s) => s.name === schema)?.tables.find((t) => t.name === table)?.columns ?? [];
  }, [objects, editing]);

  const toggleTable = (schema: string, table: string, on: boolean) => {
    const index = indexByKey.get(tableKey(schema, table));
    if (on && index === undefined) tables.append(newTable(schema, table), { shouldFocus: false });
    if (!on && index !== undefined) {
      tables.remove(index);
      if (editing === tableKey(schema, table)) setEditing(null);
    }
  };

  const selectAllShown = (schema: string, list: SourceTableView[]) => {
    const add = list.filter((t) => !unavailableReason(t) && !indexByKey.has(tableKey(schema, t.name))).map((t) => newTable(schema, t.name));
    if (add.length) tables.append(add, { shouldFocus: false });
  };

  const toggleSchema = (name: string, on: boolean) => {
    const next = on ? [...selectedSchemas, name] : selectedSchemas.filter((s) => s !== name);
    schemas.field.onChange(next);
  };

  const toggleExpanded = (name: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });

  return (
    <div className="object-picker">
      <div className="object-picker__bar">
        <div className="field field--grow">
          <label htmlFor="object-search">Search schemas and tables</label>
          <input id="object-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="e.g. shop.orders" autoComplete="off" />
        </div>
        <p className="muted" aria-live="polite">
          {scope === 'tables'
            ? `${values.length} table${values.length === 1 ? '' : 's'} selected`
            : selectedSchemas.length
              ? `${selectedSchemas.length} schema${selectedSchemas.length === 1 ? '' : 's'} selected`
              : 'All schemas'}
          {' · '}
          {needle ? `${formatInteger(shownCount)} of ${formatInteger(objects.tableCount)} tables match` : `${formatInteger(objects.tableCount)} tables in ${objects.database}`}
        </p>
      </div>
      {scope === 'tables' && tablesError && (
        <p className="field__error" role="alert">
          {tablesError}
        </p>
      )}
      {scope === 'database' && schemasError && (
        <p className="field__error" role="alert">
          {schemasError}
        </p>
      )}
      <ul className="object-tree" aria-label={`Schemas of ${objects.database}`}>
        {filtered.length === 0 && <li className="muted object-tree__empty">Nothing matches “{query}”.</li>}
        {filtered.map(({ schema, tables: list }) => {
          const open = expanded.has(schema.name) || (needle !== '' && list.length > 0 && list.length <= ROWS_PER_SCHEMA);
          const selectedHere = values.filter((t) => t.schema === schema.name).length;
          const panelId = `schema-${schema.name}`;
          return (
            <li key={schema.name} className="object-tree__schema">
              <div className="object-tree__schema-row">
                <button type="button" className="disclosure" aria-expanded={open} aria-controls={panelId} onClick={() => toggleExpanded(schema.name)}>
                  <span className="disclosure__icon" aria-hidden="true">
                    {open ? '▾' : '▸'}
                  </span>
                  <span className="object-tree__name">{schema.name}</span>
                </button>
                <span className="muted">
                  {schema.tables.length} table{schema.tables.length === 1 ? '' : 's'}
                  {scope === 'tables' && selectedHere > 0 && `, ${selectedHere} selected`}
                </span>
                {scope === 'database' && (
                  <label className="choice choice--inline">
                    <input type="checkbox" checked={selectedSchemas.includes(schema.name)} onChange={(e) => toggleSchema(schema.name, e.target.checked)} />
                    <span>Synchronize schema {schema.name}</span>
                  </label>
                )}
                {scope === 'tables' && open && list.length > 0 && (
                  <button type="button" className="button button--small" onClick={() => selectAllShown(schema.name, list.slice(0, ROWS_PER_SCHEMA))}>
                    Select all{needle ? ' matching' : ''} in {schema.name}
                  </button>
                )}
              </div>
              {open && (
                <ul className="object-tree__tables" id={panelId}>
                  {list.slice(0, ROWS_PER_SCHEMA).map((t) => {
                    const key = tableKey(schema.name, t.name);
                    const index = indexByKey.get(key);
                    return (
                      <TableRow
                        key={key}
                        schema={schema.name}
                        table={t}
                        scope={scope}
                        index={index}
                        editing={editing === key}
                        onToggle={(on) => toggleTable(schema.name, t.name, on)}
                        onEdit={() => {
                          if (index === undefined) tables.append(newTable(schema.name, t.name), { shouldFocus: false });
                          setEditing(editing === key ? null : key);
                        }}
                      />
                    );
                  })}
                  {list.length > ROWS_PER_SCHEMA && (
                    <li className="muted object-tree__more">
                      {formatInteger(list.length - ROWS_PER_SCHEMA)} more tables: narrow the search to see them.
                    </li>
                  )}
                </ul>
              )}
            </li>
          );
        })}
      </ul>
      {editingIndex !== undefined && editingName && (
        // Below the tree, not inside its scroll box: the form gets the width and height it needs.
        <section className="table-settings-panel" aria-label={`Settings of ${editingName}`}>
          <div className="table-settings-panel__header">
            <h3 className="form-section__title">
              Own settings of <span className="mono">{editingName}</span>
            </h3>
            <button type="button" className="button button--small" onClick={() => setEditing(null)}>
              Close settings
            </button>
          </div>
          <TableSettings
            index={editingIndex}
            qualified={editingName}
            scope={scope}
            topics={topics}
            columns={editingColumns}
            onRemoveOverride={() => {
              tables.remove(editingIndex);
              setEditing(null);
            }}
          />
        </section>
      )}
      {missing.length > 0 && (
        <div className="notice notice--warning">
          <p>Selected but not found in the source (dropped or renamed?):</p>
          <ul>
            {missing.map(({ t, i }) => (
              <li key={tableKey(t.schema, t.table)}>
                {t.schema}.{t.table}{' '}
                <button type="button" className="button button--small" onClick={() => tables.remove(i)}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

interface TableRowProps {
  schema: string;
  table: SourceTableView;
  scope: PolicyValues['objectScope'];
  index: number | undefined;
  editing: boolean;
  onToggle: (on: boolean) => void;
  onEdit: () => void;
}

function TableRow({ schema, table, scope, index, editing, onToggle, onEdit }: TableRowProps) {
  const { getFieldState } = useFormContext<PolicyValues>();
  const formState = useFormState<PolicyValues>();
  const unavailable = unavailableReason(table);
  const warnings = tableWarnings(table);
  const selected = index !== undefined;
  const qualified = `${schema}.${table.name}`;
  const rowError = index !== undefined ? firstMessage(getFieldState(`tables.${index}`, formState).error) : undefined;
  const checkboxId = `table-${qualified}`;
  const details: ReactNode[] = [];
  if (table.primaryKey.length) details.push(`key (${table.primaryKey.join(', ')})`);
  else if (!warnings.length) details.push('no primary key');
  if (table.kind === 'partitioned') details.push('partitioned');
  if (table.estimatedRows !== null) details.push(`~${formatInteger(table.estimatedRows)} rows`);
  if (table.replicaIdentity !== 'default') details.push(`replica identity ${table.replicaIdentity}`);

  return (
    <li className={`object-tree__table${selected ? ' object-tree__table--selected' : ''}`}>
      <div className="object-tree__table-row">
        {scope === 'tables' ? (
          <span className="choice choice--inline">
            <input
              id={checkboxId}
              type="checkbox"
              aria-label={qualified}
              checked={selected}
              disabled={!!unavailable && !selected}
              onChange={(e) => onToggle(e.target.checked)}
            />
            <label htmlFor={checkboxId}>
              <span className="object-tree__name">{table.name}</span>
            </label>
          </span>
        ) : (
          <span className="object-tree__name">{table.name}</span>
        )}
        <span className="object-tree__details muted">{details.join(' · ')}</span>
        {unavailable && <span className="badge badge--muted">{unavailable}</span>}
        {warnings.map((w) => (
          <span key={w} className="badge badge--warning">
            {w}
          </span>
        ))}
        {(selected || scope === 'database') && !unavailable && (
          <button type="button" className="button button--small" aria-expanded={editing} onClick={onEdit} aria-label={`Settings of ${qualified}`}>
            {editing ? 'Close settings' : selected && scope === 'database' ? 'Settings (custom)' : 'Settings'}
          </button>
        )}
      </div>
      {rowError && !editing && (
        <p className="field__error" role="alert">
          {qualified}: {rowError}
        </p>
      )}
    </li>
  );
}
