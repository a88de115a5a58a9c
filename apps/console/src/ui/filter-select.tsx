import { useId } from 'react';

interface FilterSelectProps<V extends string> {
  label: string;
  /** '' is the "all" choice. */
  value: V | '';
  /** What '' reads as: "All types", "Any result". */
  allLabel: string;
  options: readonly { value: V; label: string }[];
  onChange: (value: V | undefined) => void;
}

/** A list filter: one labelled select whose first choice takes everything. */
export function FilterSelect<V extends string>({ label, value, allLabel, options, onChange }: FilterSelectProps<V>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange((e.target.value || undefined) as V | undefined)}>
        <option value="">{allLabel}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
