/**
 * The delay alarm of PRODUCT.md §6, as a pure state machine: the scheduler that owns a task feeds
 * it every delay measurement with the time it was taken, persists the state it returns (so a
 * scheduler taking the task over carries on the same episode) and sends what it emits.
 *
 * - threshold 0 is off;
 * - after a start or resume the task is catching up: it is silent until it has received what was
 *   committed before it started and the delay first falls to the threshold or below (a backlog at
 *   start is expected, not an incident; and before that backlog arrives a low delay proves nothing);
 * - then an alarm fires once the delay has stayed above the threshold for the sustain window,
 *   once per episode, and a recovery notice follows when it falls back.
 */

export interface DelayAlarmSettings {
  /** 0 = off. */
  thresholdSeconds: number;
  sustainSeconds: number;
}

/**
 * catchUp: after a start, until the delay first falls to the threshold; below: armed;
 * above: over the threshold, not for long enough yet; firing: the alarm was sent.
 */
export type DelayAlarmPhase = 'catchUp' | 'below' | 'above' | 'firing';

export interface DelayAlarmState {
  phase: DelayAlarmPhase;
  /** When the delay went above the threshold (epoch ms): the start of the episode. */
  aboveSince: number | null;
  /** The highest delay of the episode, in seconds. */
  peakSeconds: number;
  /**
   * When the episode's alarm fired; set until its recovery notice is sent, also through a
   * restart's catch-up, so an alarm is never left without its recovery.
   */
  firedAt: number | null;
}

export type DelayAlarmEvent =
  | { type: 'alarm'; delaySeconds: number; aboveSince: number; sustainedSeconds: number }
  | { type: 'recovered'; delaySeconds: number; aboveSince: number; firedAt: number; peakSeconds: number; lastedSeconds: number };

export interface DelayAlarmStep {
  state: DelayAlarmState;
  event: DelayAlarmEvent | null;
}

/** The state of a task that is (re)started: catching up, with any alarm still awaiting its recovery. */
export function startDelayAlarm(previous?: DelayAlarmState | null): DelayAlarmState {
  if (previous?.firedAt != null) {
    return { phase: 'catchUp', aboveSince: previous.aboveSince, peakSeconds: previous.peakSeconds, firedAt: previous.firedAt };
  }
  return { phase: 'catchUp', aboveSince: null, peakSeconds: 0, firedAt: null };
}

/**
 * Takes one delay measurement (seconds) made at `now` (epoch ms). `backlogRead`: the stream has
 * received everything committed before it started (the catch-up cannot end before).
 */
export function evaluateDelayAlarm(
  state: DelayAlarmState,
  settings: DelayAlarmSettings,
  delaySeconds: number,
  now: number,
  backlogRead = true,
): DelayAlarmStep {
  if (!(settings.thresholdSeconds > 0)) return { state, event: null };
  const delay = Number.isFinite(delaySeconds) && delaySeconds > 0 ? delaySeconds : 0;
  const above = delay > settings.thresholdSeconds;
  const sustainMs = Math.max(0, settings.sustainSeconds) * 1000;

  switch (state.phase) {
    case 'catchUp':
      if (above || !backlogRead) return { state: state.firedAt === null ? state : { ...state, peakSeconds: Math.max(state.peakSeconds, delay) }, event: null };
      return recover(state, delay, now);
    case 'below':
      if (!above) return { state, event: null };
      return afterAbove({ phase: 'above', aboveSince: now, peakSeconds: delay, firedAt: null }, sustainMs, delay, now);
    case 'above':
      if (!above) return { state: armed(), event: null };
      return afterAbove({ ...state, peakSeconds: Math.max(state.peakSeconds, delay) }, sustainMs, delay, now);
    case 'firing':
      if (!above) return recover(state, delay, now);
      return { state: { ...state, peakSeconds: Math.max(state.peakSeconds, delay) }, event: null };
  }
}

function armed(): DelayAlarmState {
  return { phase: 'below', aboveSince: null, peakSeconds: 0, firedAt: null };
}

/** Above the threshold: fire once the whole sustain window has passed since the episode began. */
function afterAbove(state: DelayAlarmState, sustainMs: number, delay: number, now: number): DelayAlarmStep {
  const since = state.aboveSince ?? now;
  if (now - since < sustainMs) return { state, event: null };
  return {
    state: { ...state, phase: 'firing', firedAt: now },
    event: { type: 'alarm', delaySeconds: delay, aboveSince: since, sustainedSeconds: Math.round((now - since) / 1000) },
  };
}

/** At or below the threshold: armed again, with the recovery notice of an alarm that fired. */
function recover(state: DelayAlarmState, delay: number, now: number): DelayAlarmStep {
  if (state.firedAt === null) return { state: armed(), event: null };
  const aboveSince = state.aboveSince ?? state.firedAt;
  return {
    state: armed(),
    event: {
      type: 'recovered',
      delaySeconds: delay,
      aboveSince,
      firedAt: state.firedAt,
      peakSeconds: state.peakSeconds,
      lastedSeconds: Math.round((now - aboveSince) / 1000),
    },
  };
}

/** A stored state from an older version or a hand-edited row is treated as a fresh start. */
export function parseDelayAlarmState(value: unknown): DelayAlarmState | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Partial<DelayAlarmState>;
  const phases: DelayAlarmPhase[] = ['catchUp', 'below', 'above', 'firing'];
  if (!phases.includes(v.phase as DelayAlarmPhase)) return null;
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  return { phase: v.phase as DelayAlarmPhase, aboveSince: num(v.aboveSince), peakSeconds: num(v.peakSeconds) ?? 0, firedAt: num(v.firedAt) };
}
