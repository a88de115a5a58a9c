// Pure helpers of the report: a scenario's result is a list of figures, and `--repeat N` turns
// N such lists into the median and min-max of each figure. No I/O here (tools/bench/summary.spec.ts).

/**
 * One printed figure. `key` identifies it across runs; `target` ({ op: '>=' | '<=', value })
 * makes the report say MET / NOT MET; `detail` is free text printed after the value.
 */
export function figure(key, label, value, { unit = '', digits = 0, detail = '', target = null } = {}) {
  return { key, label, value: value ?? null, unit, digits, detail, target };
}

export function median(values) {
  const sorted = values.filter((v) => v != null && Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Whether `value` meets `target`; null when there is no target or no value. */
export function meets(target, value) {
  if (!target || value == null) return null;
  return target.op === '<=' ? value <= target.value : value >= target.value;
}

/**
 * The figures of N runs, by key in the first run's order (null entries are separators):
 * median, min, max and every value; the target is judged on the median, as the issue asks.
 */
export function summarize(runs) {
  const first = runs[0]?.figures ?? [];
  return first.map((f) => {
    if (f === null) return null;
    const values = runs.map((r) => r.figures.find((g) => g?.key === f.key)?.value ?? null);
    const present = values.filter((v) => v != null && Number.isFinite(v));
    const mid = median(present);
    return {
      ...f,
      value: mid,
      min: present.length ? Math.min(...present) : null,
      max: present.length ? Math.max(...present) : null,
      values,
      met: meets(f.target, mid),
    };
  });
}

export function formatNumber(n, digits = 0) {
  if (n == null || !Number.isFinite(n)) return '-';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** One figure as printed: "12,345 rows/s" or, summarized, "12,345 rows/s (min-max 11,000-13,000)". */
export function formatFigure(f) {
  const unit = f.unit ? ` ${f.unit}` : '';
  let text = `${formatNumber(f.value, f.digits)}${unit}`;
  if (f.values && f.values.length > 1) text += `  (min–max ${formatNumber(f.min, f.digits)}–${formatNumber(f.max, f.digits)})`;
  if (f.detail && !f.values) text += `  ${f.detail}`;
  if (f.target) {
    const met = f.met ?? meets(f.target, f.value);
    text += `  [target ${f.target.op} ${formatNumber(f.target.value, f.digits)}${unit}: ${met == null ? '?' : met ? 'MET' : 'NOT MET'}]`;
  }
  return text;
}

/** The lines of an aligned two-column table of figures (and `[label, text]` pairs). */
export function tableLines(title, entries) {
  const rows = entries.map((e) => (e === null ? null : Array.isArray(e) ? e : [e.label, formatFigure(e)]));
  const present = rows.filter(Boolean);
  const width = Math.max(...present.map(([k]) => k.length));
  const rule = '-'.repeat(Math.min(160, width + 2 + Math.max(...present.map(([, v]) => v.length))));
  return [title, rule, ...rows.map((row) => (row ? `${row[0].padEnd(width)}  ${row[1]}` : rule)), rule];
}
