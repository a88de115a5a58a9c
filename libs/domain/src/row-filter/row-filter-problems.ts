import type { FieldProblem } from '../errors';
import { RowFilterError, parseRowFilter } from './row-filter-parser';

/** A blank condition (what a cleared form field sends) means no filter. */
export function hasRowFilter(filter: string | undefined): filter is string {
  return filter !== undefined && filter.trim() !== '';
}

/**
 * Row filter conditions of a task that do not parse, as field problems of the task JSON (the API
 * answers 400 with them). Column names and value types are checked against the source's
 * catalog later, by the precheck and again by the worker.
 */
export function rowFilterProblems(tables: ReadonlyArray<{ filter?: string }>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  tables.forEach((t, i) => {
    if (!hasRowFilter(t.filter)) return;
    try {
      parseRowFilter(t.filter);
    } catch (error) {
      if (!(error instanceof RowFilterError)) throw error;
      problems.push({ field: `policy.tables.${i}.filter`, message: `invalid condition at position ${error.position}: ${error.reason}` });
    }
  });
  return problems;
}
