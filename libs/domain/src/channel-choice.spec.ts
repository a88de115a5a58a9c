import { describe, expect, it } from 'vitest';
import { channelTakes, type ChannelChoice } from './channel-choice';
import type { NotificationKind, NotificationSeverity } from './notification-text';

describe('what a channel is sent', () => {
  const rows: [string, ChannelChoice, NotificationKind, NotificationSeverity, boolean][] = [
    ['a channel made before the choice existed takes everything', {}, 'delayRecovered', 'info', true],
    ['every kind, from info', { kinds: null, minSeverity: 'info' }, 'fullSyncFinished', 'info', true],
    ['warnings and up: an info notice is not sent', { minSeverity: 'warning' }, 'delayRecovered', 'info', false],
    ['warnings and up: a warning is', { minSeverity: 'warning' }, 'delayAlarm', 'warning', true],
    ['warnings and up: a critical one is', { minSeverity: 'warning' }, 'taskAbnormal', 'critical', true],
    ['critical only: a warning is not sent', { minSeverity: 'critical' }, 'delayAlarm', 'warning', false],
    ['chosen kinds: another kind is not sent', { kinds: ['taskAbnormal', 'dataException'] }, 'delayAlarm', 'critical', false],
    ['chosen kinds: a chosen kind is', { kinds: ['taskAbnormal', 'dataException'] }, 'dataException', 'critical', true],
    ['chosen kind below the lowest severity: not sent', { kinds: ['delayAlarm'], minSeverity: 'critical' }, 'delayAlarm', 'warning', false],
    ["the channel's own test is always sent", { kinds: ['taskAbnormal'], minSeverity: 'critical' }, 'test', 'info', true],
  ];
  it.each(rows)('%s', (_name, choice, kind, severity, sent) => {
    expect(channelTakes(choice, kind, severity)).toBe(sent);
  });
});
