import type { CreateTaskInput, TaskView } from '@walbridge/contracts';
import { taskCreateRequest } from '../wizard/api-request-preview';

const NAME_MAX = 50;
const SUFFIX = '-copy';

/**
 * Issue 15 feature 6 "Clone a task": a new task in CONFIGURATION with this one's settings. Never
 * its secrets (write-only: the user types them again at step 2) nor its slot name (a slot belongs
 * to one task; the new one gets its own default). A side taken from a saved connection stays the
 * reference, so the clone brings that connection's password without it being typed.
 */
export function cloneTaskInput(task: TaskView): CreateTaskInput {
  const body = taskCreateRequest(task, { start: { mode: 'now' }, alarms: task.alarms });
  const { password: _sourcePassword, ...source } = body.source;
  const { password: _destinationPassword, clientKey: _clientKey, ...destination } = body.destination;
  const { slotName: _slot, ...policy } = body.policy;
  return { ...body, name: `${task.name.slice(0, NAME_MAX - SUFFIX.length)}${SUFFIX}`, source, destination, policy };
}
