import type { TaskDetail } from '../../api/task-lifecycle.types';

/** A task's tags as `key: value` chips (nothing when it has none); the list and the task page share it. */
export function TaskTags({ tags, className, label }: { tags: TaskDetail['tags']; className: string; label: string }) {
  if (tags.length === 0) return null;
  return (
    <ul className={className} aria-label={label}>
      {tags.map((t) => (
        <li key={t.key} className="tag">
          {t.key}
          {t.value ? `: ${t.value}` : ''}
        </li>
      ))}
    </ul>
  );
}
