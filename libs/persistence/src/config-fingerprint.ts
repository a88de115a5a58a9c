import { createHash } from 'node:crypto';
import { canonicalJson } from '@walbridge/domain';
import type { TaskEntity } from './entities';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * What a precheck run vouches for: the configuration, the slot and publication names and the
 * credentials. Credentials enter only as a hash of their ciphertext, which changes whenever they
 * are re-sealed (a new IV each time), so a changed password also outdates the run.
 */
export function taskConfigFingerprint(task: Pick<TaskEntity, 'config' | 'slotName' | 'publicationName' | 'secrets'>): string {
  return sha256(
    canonicalJson({
      config: task.config,
      slotName: task.slotName,
      publicationName: task.publicationName,
      secrets: task.secrets ? sha256(task.secrets) : null,
    }),
  );
}
