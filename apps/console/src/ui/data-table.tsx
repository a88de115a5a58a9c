import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ConfirmDialog } from './confirm-dialog';

/*
 * The console's tables (tasks, notification channels, audit log, users, tokens): one markup, so
 * they scroll, sort, select and confirm alike. Sorting and paging are the API's (the list is one
 * page of a server-sorted result), so the table only says which order is shown and asks for
 * another; it never reorders rows itself. Headless libraries (@tanstack/react-table) were weighed
 * and left out: with the order and the pages on the server they would keep only the selection.
 */

export interface DataColumn<T> {
  id: string;
  header: string;
  cell: (row: T) => ReactNode;
  /** The cell that names the row (a `<th scope="row">`): screen readers read it with each cell. */
  rowHeader?: boolean;
  className?: string;
  /** When the API sorts by this column: its sort field. */
  sortField?: string;
  /** Newest or largest first on the first click (times, delays). */
  sortFirstDescending?: boolean;
}

export interface RowAction<T> {
  label: string;
  /** The button's accessible name when its text alone is ambiguous in a table ("Pause orders"). */
  ariaLabel?: (row: T) => string;
  danger?: boolean;
  /** Offered for this row (its status, the user's role); all rows by default. */
  shown?: (row: T) => boolean;
  /** Asks first, in the table's confirm dialog; without it the action runs at once. */
  confirm?: (row: T) => { title: string; body: ReactNode; confirmLabel?: string };
  run: (row: T) => Promise<unknown> | void;
}

export interface RowSelection {
  selected: ReadonlySet<string>;
  onChange: (selected: Set<string>) => void;
}

interface DataTableProps<T> {
  rows: readonly T[];
  columns: DataColumn<T>[];
  rowKey: (row: T) => string;
  /** Names the scrolling region (and the caption, for screen readers). */
  label: string;
  /** What a row is called in the select boxes' names ("Select orders-cdc"). */
  rowName?: (row: T) => string;
  /** On phones each row is a card, every value under its column's name. */
  cards?: boolean;
  sort?: string;
  onSortChange?: (sort: string) => void;
  selection?: RowSelection;
  actions?: RowAction<T>[];
  /** More in the actions cell, after the actions (a component with its own dialogs, a result). */
  actionsExtra?: (row: T) => ReactNode;
}

export function DataTable<T>({ rows, columns, rowKey, label, rowName, cards, sort, onSortChange, selection, actions = [], actionsExtra }: DataTableProps<T>) {
  const [asking, setAsking] = useState<{ action: RowAction<T>; row: T } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const hasActions = actions.length > 0 || !!actionsExtra;

  const run = async (action: RowAction<T>, row: T) => {
    setBusy(true);
    setError(undefined);
    try {
      await action.run(row);
      setAsking(null);
    } catch (e) {
      // Kept in the dialog (or shown over the table) so the user sees why, next to what they asked.
      setError(e instanceof Error ? e.message : String(e));
      if (!action.confirm) setAsking(null);
    } finally {
      setBusy(false);
    }
  };
  const question = asking?.action.confirm?.(asking.row);

  return (
    <>
      {error && !asking && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      {/* Focusable so keyboard users can scroll the table sideways on narrow screens. */}
      <div className={`table-scroll${cards ? ' table-scroll--cards' : ''}`} tabIndex={0} role="region" aria-label={label}>
        <table className="data-table">
          <caption className="visually-hidden">{label}</caption>
          <thead>
            <tr>
              {selection && (
                <th scope="col" className="data-table__select">
                  <SelectAll rows={rows.map(rowKey)} selection={selection} />
                </th>
              )}
              {columns.map((c) => (
                <ColumnHeader key={c.id} column={c} sort={sort} onSortChange={onSortChange} />
              ))}
              {hasActions && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const key = rowKey(row);
              const name = rowName?.(row) ?? key;
              const offered = actions.filter((a) => !a.shown || a.shown(row));
              return (
                <tr key={key} className={selection?.selected.has(key) ? 'data-table__row--selected' : undefined}>
                  {selection && (
                    <td className="data-table__select">
                      <input
                        type="checkbox"
                        aria-label={`Select ${name}`}
                        checked={selection.selected.has(key)}
                        onChange={(e) => {
                          const next = new Set(selection.selected);
                          if (e.target.checked) next.add(key);
                          else next.delete(key);
                          selection.onChange(next);
                        }}
                      />
                    </td>
                  )}
                  {columns.map((c) =>
                    c.rowHeader ? (
                      <th key={c.id} scope="row" className={c.className}>
                        {c.cell(row)}
                      </th>
                    ) : (
                      <td key={c.id} className={c.className} data-label={cards ? c.header : undefined}>
                        {c.cell(row)}
                      </td>
                    ),
                  )}
                  {hasActions && (
                    <td className="row-actions" data-label={cards ? 'Actions' : undefined}>
                      {offered.map((a) => (
                        <button
                          key={a.label}
                          type="button"
                          className={`button button--small${a.danger ? ' button--danger-outline' : ''}`}
                          aria-label={a.ariaLabel?.(row)}
                          disabled={busy}
                          onClick={() => {
                            setError(undefined);
                            if (a.confirm) setAsking({ action: a, row });
                            else void run(a, row);
                          }}
                        >
                          {a.label}
                        </button>
                      ))}
                      {actionsExtra?.(row)}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {asking && question && (
        <ConfirmDialog
          open
          title={question.title}
          confirmLabel={question.confirmLabel ?? asking.action.label}
          danger={asking.action.danger}
          busy={busy}
          error={error}
          onConfirm={() => void run(asking.action, asking.row)}
          onCancel={() => {
            setAsking(null);
            setError(undefined);
          }}
        >
          {question.body}
        </ConfirmDialog>
      )}
    </>
  );
}

/** Selects or clears every row on this page; half-checked while only some are. */
function SelectAll({ rows, selection }: { rows: string[]; selection: RowSelection }) {
  const ref = useRef<HTMLInputElement>(null);
  const chosen = rows.filter((k) => selection.selected.has(k)).length;
  const all = rows.length > 0 && chosen === rows.length;
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = chosen > 0 && !all;
  }, [chosen, all]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label="Select all on this page"
      checked={all}
      onChange={() => {
        const next = new Set(selection.selected);
        for (const k of rows) {
          if (all) next.delete(k);
          else next.add(k);
        }
        selection.onChange(next);
      }}
    />
  );
}

/**
 * A column header; a sortable one is a button: the first click sorts ascending (newest or largest
 * first for times and delays), the next reverses; aria-sort tells screen readers the order.
 */
function ColumnHeader<T>({ column, sort, onSortChange }: { column: DataColumn<T>; sort?: string; onSortChange?: (sort: string) => void }) {
  const field = column.sortField;
  if (!field || !onSortChange) {
    return (
      <th scope="col" className={column.className}>
        {column.header}
      </th>
    );
  }
  const current = sort === field ? 'ascending' : sort === `-${field}` ? 'descending' : 'none';
  const next = current === 'none' ? (column.sortFirstDescending ? `-${field}` : field) : current === 'ascending' ? `-${field}` : field;
  return (
    <th scope="col" className={column.className} aria-sort={current}>
      <button type="button" className="sort-button" onClick={() => onSortChange(next)}>
        {column.header}
        <span aria-hidden="true" className="sort-button__arrow">
          {current === 'ascending' ? '▲' : current === 'descending' ? '▼' : '↕'}
        </span>
      </button>
    </th>
  );
}
