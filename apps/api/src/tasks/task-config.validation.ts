import type { PipeTransform } from '@nestjs/common';
import { createTaskSchema, type TaskConfig } from '@walbridge/contracts';
import { topicNameProblems } from '@walbridge/domain';
import { invalidRequest, unstorable, zodProblems } from '../common/zod-body.pipe';

/**
 * Every rule of PRODUCT.md §2: the shared contracts schema, then the topic names the
 * configuration produces (rendered with the domain's topic rules, which the console cannot import).
 */
export function parseTaskConfig(input: unknown): TaskConfig {
  const unstorableText = unstorable(input);
  if (unstorableText.length) throw invalidRequest(unstorableText);
  const parsed = createTaskSchema.safeParse(input);
  if (!parsed.success) throw invalidRequest(zodProblems(parsed.error));
  const problems = topicNameProblems(parsed.data.policy, parsed.data.source.database);
  if (problems.length) throw invalidRequest(problems);
  return parsed.data;
}

export class TaskConfigPipe implements PipeTransform<unknown, TaskConfig> {
  transform(value: unknown): TaskConfig {
    return parseTaskConfig(value);
  }
}
