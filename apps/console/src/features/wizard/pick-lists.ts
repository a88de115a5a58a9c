import { useQuery } from '@tanstack/react-query';
import type { DestinationTopicsView } from '@walbridge/contracts';
import { getDestinationTopics } from '../../api/source-objects.api';
import type { FieldSuggestion } from '../../ui/form-fields';

/** The topic fields' pick list as suggestions; a new name can still be typed. */
export function topicSuggestions(view: DestinationTopicsView | undefined): FieldSuggestion[] {
  return (view?.topics ?? []).map((t) => ({ value: t.name, label: `${t.partitions} partition${t.partitions === 1 ? '' : 's'}` }));
}

/**
 * The topics of the task's cluster, read through the API (never from the browser to Kafka). A
 * cluster that cannot be read leaves the fields plain text boxes: the pick list is a help only.
 */
export function useTopicSuggestions(taskId: string): FieldSuggestion[] {
  const topics = useQuery({
    queryKey: ['tasks', 'destination-topics', taskId],
    queryFn: ({ signal }) => getDestinationTopics(taskId, signal),
    staleTime: 60_000,
    retry: false,
  });
  return topicSuggestions(topics.data);
}

/** A comma-separated column list with `column` ticked on or off, in the table's column order. */
export function toggleColumn(list: string, column: string, on: boolean, order: readonly string[]): string {
  const names = list
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const next = on ? (names.includes(column) ? names : [...names, column]) : names.filter((c) => c !== column);
  const rank = (c: string) => (order.includes(c) ? order.indexOf(c) : order.length);
  return [...next].sort((a, b) => rank(a) - rank(b)).join(', ');
}
