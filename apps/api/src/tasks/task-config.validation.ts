import type { PipeTransform } from '@nestjs/common';
import { createTaskSchema, type TaskConfig } from '@walbridge/contracts';
import { rowFilterProblems, topicNameProblems } from '@walbridge/domain';
import type { NotificationChannelRepository } from '@walbridge/persistence';
import { invalidRequest, unstorable, zodProblems } from '../common/zod-body.pipe';

/**
 * Every rule of PRODUCT.md §2: the shared contracts schema, then the topic names the
 * configuration produces and the syntax of row filter conditions (the domain's rules, which the
 * console cannot import). Filters are only parsed here: the API never runs SQL with them.
 */
export function parseTaskConfig(input: unknown): TaskConfig {
  const unstorableText = unstorable(input);
  if (unstorableText.length) throw invalidRequest(unstorableText);
  const parsed = createTaskSchema.safeParse(input);
  if (!parsed.success) throw invalidRequest(zodProblems(parsed.error));
  const problems = [...topicNameProblems(parsed.data.policy, parsed.data.source.database), ...rowFilterProblems(parsed.data.policy.tables)];
  if (parsed.data.policy.format === 'avro-registry' && !parsed.data.destination.schemaRegistry) {
    problems.push({ field: 'destination.schemaRegistry', message: 'destination.schemaRegistry (url) is required when format is avro-registry' });
  }
  if (problems.length) throw invalidRequest(problems);
  return parsed.data;
}

export class TaskConfigPipe implements PipeTransform<unknown, TaskConfig> {
  transform(value: unknown): TaskConfig {
    return parseTaskConfig(value);
  }
}

/**
 * alarms.channelIds must name existing channels. Only ids the task did not have already are
 * checked: a channel deleted since does not block an unrelated edit (deliveries skip it).
 */
export async function assertChannelsExist(channels: NotificationChannelRepository, config: TaskConfig, before: string[] = []): Promise<void> {
  const ids = config.alarms.channelIds;
  const added = ids.filter((id) => !before.includes(id));
  if (!added.length) return;
  const known = new Set((await channels.findByIds(added)).map((c) => c.id));
  const problems = ids.flatMap((id, i) =>
    added.includes(id) && !known.has(id) ? [{ field: `alarms.channelIds.${i}`, message: `no notification channel ${id}` }] : [],
  );
  if (problems.length) throw invalidRequest(problems);
}
