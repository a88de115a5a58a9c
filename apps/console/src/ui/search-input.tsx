import { useEffect, useId, useRef, useState, type FormEvent } from 'react';

interface SearchInputProps {
  label: string;
  value: string;
  onSearch: (value: string) => void;
  placeholder?: string;
  delayMs?: number;
}

/** Searches as you type, after a pause; Enter searches at once. */
export function SearchInput({ label, value, onSearch, placeholder, delayMs = 300 }: SearchInputProps) {
  const id = useId();
  const [draft, setDraft] = useState(value);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // What this box last sent. A `value` different from it came from elsewhere (back button, Clear
  // filters) and replaces the draft; one equal to it is our own echo and must not undo newer typing.
  const lastSent = useRef(value);
  // The timer calls the latest onSearch, not the one of the render that set it.
  const onSearchRef = useRef(onSearch);
  onSearchRef.current = onSearch;

  useEffect(() => {
    if (value === lastSent.current) return;
    clearTimeout(timer.current);
    lastSent.current = value;
    setDraft(value);
  }, [value]);

  useEffect(() => () => clearTimeout(timer.current), []);

  const send = (next: string) => {
    clearTimeout(timer.current);
    const trimmed = next.trim();
    if (trimmed === lastSent.current) return;
    lastSent.current = trimmed;
    onSearchRef.current(trimmed);
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    send(draft);
  };

  return (
    <form role="search" className="field" onSubmit={onSubmit}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="search"
        value={draft}
        placeholder={placeholder}
        maxLength={100}
        autoComplete="off"
        onChange={(event) => {
          const next = event.target.value;
          setDraft(next);
          clearTimeout(timer.current);
          timer.current = setTimeout(() => send(next), delayMs);
        }}
      />
    </form>
  );
}
