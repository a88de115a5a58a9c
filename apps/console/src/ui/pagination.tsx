interface PaginationProps {
  page: number;
  pageSize: number;
  total: number;
  onPageChange: (page: number) => void;
  /** What is being counted, plural ("tasks"). */
  noun: string;
}

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

export function Pagination({ page, pageSize, total, onPageChange, noun }: PaginationProps) {
  const pages = pageCount(total, pageSize);
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(page * pageSize, total);
  return (
    <nav className="pagination" aria-label={`${noun} pages`}>
      <p className="pagination__summary">
        {first}–{last} of {total} {noun}
      </p>
      <div className="pagination__controls">
        <button type="button" className="button" onClick={() => onPageChange(page - 1)} disabled={page <= 1}>
          <span aria-hidden="true">←</span> Previous
        </button>
        <span className="pagination__position" aria-live="polite">
          Page {page} of {pages}
        </span>
        <button type="button" className="button" onClick={() => onPageChange(page + 1)} disabled={page >= pages}>
          Next <span aria-hidden="true">→</span>
        </button>
      </div>
    </nav>
  );
}
