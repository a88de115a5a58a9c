import { createHash } from 'node:crypto';
import { canonicalJson } from '@walbridge/domain';
import type { TaskEntity } from './entities';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * The parts of a task's configuration a precheck evaluates: where it reads, where it writes and
 * what it synchronizes. Name, description, tags, start time, alarms, retry windows and throttling
 * change nothing a precheck looks at, and the console's last wizard step (start time and alarms)
 * is edited after the precheck, as in DRS: changing them must not send the user back to step 4.
 */
export const PRECHECKED_FIELDS = ['source', 'destination', 'policy', 'secretsSet'] as const;

/** Whether a change of these fields (dotted paths) outdates the latest precheck. */
export function outdatesPrecheck(changedFields: string[]): boolean {
  return changedFields.some((f) => PRECHECKED_FIELDS.some((p) => f === p || f.startsWith(`${p}.`)));
}

/**
 * What a precheck run vouches for: the prechecked configuration, the slot and publication names
 * and the credentials. Credentials enter only as a hash of their ciphertext, which changes
 * whenever they are re-sealed (a new IV each time), so a changed password also outdates the run.
 */
export function taskConfigFingerprint(task: Pick<TaskEntity, 'config' | 'slotName' | 'publicationName' | 'secrets'>): string {
  const config = task.config as Record<string, unknown>;
  return sha256(
    canonicalJson({
      config: Object.fromEntries(PRECHECKED_FIELDS.map((field) => [field, config[field] ?? null])),
      slotName: task.slotName,
      publicationName: task.publicationName,
      secrets: task.secrets ? sha256(task.secrets) : null,
    }),
  );
}
