import type { ReactNode } from 'react';

interface EditorCardProps {
  /** The title's id, which names the card. */
  id: string;
  title: string;
  /** The button that opens the editor. */
  openLabel: string;
  /** What the last save did, shown until the editor opens again. */
  saved: string | null;
  open: boolean;
  onOpen(): void;
  /** The editor's form, shown while open. */
  children: ReactNode;
}

/** A task page card that edits one part of a running task: closed, a button; open, its form. */
export function EditorCard({ id, title, openLabel, saved, open, onOpen, children }: EditorCardProps) {
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id} className="card__title">
        {title}
      </h2>
      {saved && (
        <p className="notice notice--info" role="status">
          {saved}
        </p>
      )}
      {!open ? (
        <button type="button" className="button" onClick={onOpen}>
          {openLabel}
        </button>
      ) : (
        children
      )}
    </section>
  );
}
