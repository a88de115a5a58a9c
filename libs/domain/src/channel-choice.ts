import type { NotificationKind, NotificationSeverity } from './notification-text';

/** A channel's own choice of what it is sent (issue 15 feature 9), on top of the task's channel list. */
export interface ChannelChoice {
  /** null or absent: every kind. */
  kinds?: readonly NotificationKind[] | null;
  /** absent: info (everything). */
  minSeverity?: NotificationSeverity;
}

const RANK: Record<NotificationSeverity, number> = { info: 0, warning: 1, critical: 2 };

/** Whether a notification of this kind and severity goes to a channel that chose `choice`. Its own test always does. */
export function channelTakes(choice: ChannelChoice, kind: NotificationKind, severity: NotificationSeverity): boolean {
  if (kind === 'test') return true;
  if (choice.kinds && !choice.kinds.includes(kind)) return false;
  return RANK[severity] >= RANK[choice.minSeverity ?? 'info'];
}
