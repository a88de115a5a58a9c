import type { ReactNode } from 'react';
import { ApiError } from '../api/api-client';

/** The one look for "nothing to show yet" states, so loading, empty and error read alike everywhere. */
export function LoadingPanel({ children }: { children: ReactNode }) {
  return (
    <div className="panel panel--loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {children}
    </div>
  );
}

export function EmptyPanel({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <div className="panel panel--empty">
      <p className="panel__title">{title}</p>
      {children}
    </div>
  );
}

export function ErrorPanel({ title, error, action }: { title: string; error: unknown; action?: ReactNode }) {
  const apiError = error instanceof ApiError ? error : null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="panel panel--error" role="alert">
      <p className="panel__title">{title}</p>
      <p>
        {message}
        {apiError && !apiError.isNetworkError && (
          <span className="muted"> (HTTP {apiError.statusCode}{apiError.code ? `, ${apiError.code}` : ''})</span>
        )}
      </p>
      {apiError && apiError.details.length > 0 && (
        <ul className="panel__details">
          {apiError.details.map((detail) => (
            <li key={`${detail.field}:${detail.message}`}>
              <code>{detail.field}</code>: {detail.message}
            </li>
          ))}
        </ul>
      )}
      {action}
    </div>
  );
}
