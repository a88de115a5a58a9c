import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluateDelayAlarm,
  parseDelayAlarmState,
  startDelayAlarm,
  type DelayAlarmEvent,
  type DelayAlarmSettings,
  type DelayAlarmState,
} from './delay-alarm';

/** A task's alarm driven by a fake clock: one delay measurement per tick, as the scheduler does. */
class AlarmHarness {
  state: DelayAlarmState;
  readonly events: (DelayAlarmEvent & { at: number })[] = [];

  constructor(
    readonly settings: DelayAlarmSettings,
    public now = 1_700_000_000_000,
  ) {
    this.state = startDelayAlarm();
  }

  /** The delay measured now; then the clock moves on by `stepMs`. */
  measure(delaySeconds: number, stepMs = 1000): DelayAlarmEvent | null {
    const { state, event } = evaluateDelayAlarm(this.state, this.settings, delaySeconds, this.now);
    this.state = state;
    if (event) this.events.push({ ...event, at: this.now });
    this.now += stepMs;
    return event;
  }

  /** A measurement before the stream has received what was committed before its start. */
  measureBeforeBacklog(delaySeconds: number, stepMs = 1000): DelayAlarmEvent | null {
    const { state, event } = evaluateDelayAlarm(this.state, this.settings, delaySeconds, this.now, false);
    this.state = state;
    if (event) this.events.push({ ...event, at: this.now });
    this.now += stepMs;
    return event;
  }

  /** The same delay every second for `seconds` seconds. */
  hold(delaySeconds: number, seconds: number): void {
    for (let i = 0; i < seconds; i++) this.measure(delaySeconds);
  }

  restart(): void {
    this.state = startDelayAlarm(this.state);
  }

  kinds(): string[] {
    return this.events.map((e) => e.type);
  }
}

const SIX_MINUTES: DelayAlarmSettings = { thresholdSeconds: 30, sustainSeconds: 360 };

/** A task past its catch-up: the delay was once at or below the threshold. */
function armed(settings = SIX_MINUTES): AlarmHarness {
  const h = new AlarmHarness(settings);
  h.measure(0);
  expect(h.state.phase).toBe('below');
  return h;
}

describe('delay alarm', () => {
  it('fires once the delay has stayed above the threshold for the whole sustain window, not a second earlier', () => {
    const h = armed();
    const start = h.now;
    h.hold(31, 360); // measured at t = 0 … 359 s above
    expect(h.events).toEqual([]);
    const event = h.measure(31); // t = 360 s
    expect(event).toEqual({ type: 'alarm', delaySeconds: 31, aboveSince: start, sustainedSeconds: 360 });
    expect(h.state.phase).toBe('firing');
  });

  it('treats a delay equal to the threshold as not above it', () => {
    const h = armed();
    h.hold(30, 3600);
    expect(h.events).toEqual([]);
    expect(h.state.phase).toBe('below');
  });

  it('fires once per episode, however long the delay stays high', () => {
    const h = armed();
    for (let i = 0; i < 24 * 3600; i += 10) h.measure(100 + (i % 500), 10_000);
    expect(h.kinds()).toEqual(['alarm']);
  });

  it('sends one recovery notice when the delay falls back, with the episode figures', () => {
    const h = armed();
    const start = h.now;
    h.hold(40, 200);
    h.hold(900, 200);
    h.hold(45, 100);
    const firedAt = h.events[0].at;
    expect(firedAt - start).toBe(360_000);
    const recovered = h.measure(2);
    expect(recovered).toEqual({ type: 'recovered', delaySeconds: 2, aboveSince: start, firedAt, peakSeconds: 900, lastedSeconds: 500 });
    h.hold(0, 3600);
    expect(h.kinds()).toEqual(['alarm', 'recovered']);
  });

  it('restarts the sustain window when the delay dips to the threshold before it has passed', () => {
    const h = armed();
    h.hold(60, 359);
    h.measure(30); // one measurement at the threshold: the episode is over before it alarmed
    const second = h.now;
    h.hold(60, 360);
    expect(h.events).toEqual([]);
    h.measure(60);
    expect(h.kinds()).toEqual(['alarm']);
    expect(h.events[0].aboveSince).toBe(second);
  });

  it('starts a new episode after a recovery, with a full sustain window again', () => {
    const h = armed();
    h.hold(100, 361);
    h.measure(0);
    h.hold(100, 359);
    expect(h.kinds()).toEqual(['alarm', 'recovered']);
    h.hold(100, 2);
    expect(h.kinds()).toEqual(['alarm', 'recovered', 'alarm']);
  });

  it('stays silent during the catch-up after a start, until the delay first falls to the threshold', () => {
    const h = new AlarmHarness(SIX_MINUTES);
    // A backlog at start: the delay is far above the threshold for an hour, and shrinking.
    for (let s = 3600; s > 30; s -= 1) h.measure(s + 40);
    expect(h.events).toEqual([]);
    expect(h.state.phase).toBe('catchUp');
    h.measure(10);
    expect(h.state.phase).toBe('below');
    expect(h.events).toEqual([]);
    // From here on the task is watched.
    h.hold(31, 361);
    expect(h.kinds()).toEqual(['alarm']);
  });

  it('does not end the catch-up on a low delay measured before the backlog of the start has arrived', () => {
    const h = new AlarmHarness({ thresholdSeconds: 2, sustainSeconds: 10 });
    // The worker has connected; the walsender is still decoding the backlog: nothing in flight.
    h.measureBeforeBacklog(0);
    h.measureBeforeBacklog(1);
    expect(h.state.phase).toBe('catchUp');
    // The backlog arrives, old: silent however long it takes.
    h.hold(25, 30);
    expect(h.events).toEqual([]);
    h.measure(0);
    expect(h.state.phase).toBe('below');
    h.hold(25, 11);
    expect(h.kinds()).toEqual(['alarm']);
  });

  it('is silent again after a resume, and a recovery still follows an alarm that fired before it', () => {
    const h = armed();
    h.hold(500, 400);
    expect(h.kinds()).toEqual(['alarm']);
    const firedAt = h.events[0].at;
    h.restart(); // paused and resumed (or stopped streaming and started again) while firing
    h.hold(2000, 1000); // the backlog of the pause: no second alarm
    expect(h.kinds()).toEqual(['alarm']);
    const recovered = h.measure(1);
    expect(recovered).toMatchObject({ type: 'recovered', firedAt, peakSeconds: 2000 });
    expect(h.kinds()).toEqual(['alarm', 'recovered']);
  });

  it('forgets an episode that never alarmed when the task is restarted', () => {
    const h = armed();
    h.hold(100, 300);
    h.restart();
    h.hold(100, 100); // catch-up: 400 s above in total, but split by the restart
    expect(h.events).toEqual([]);
    h.measure(0);
    expect(h.events).toEqual([]);
  });

  it('is off with threshold 0', () => {
    const h = new AlarmHarness({ thresholdSeconds: 0, sustainSeconds: 10 });
    h.measure(0);
    h.hold(3600, 7200);
    expect(h.events).toEqual([]);
  });

  it('uses the sustain window as configured (10 s in tests)', () => {
    const h = armed({ thresholdSeconds: 2, sustainSeconds: 10 });
    h.hold(3, 10);
    expect(h.events).toEqual([]);
    h.measure(3);
    expect(h.kinds()).toEqual(['alarm']);
  });

  it('counts time, not measurements: sparse measurements fire as soon as the window has passed', () => {
    const h = armed();
    h.measure(100, 200_000);
    h.measure(100, 159_000);
    expect(h.events).toEqual([]);
    h.measure(100, 1000); // 359 s after the first: still not
    expect(h.events).toEqual([]);
    h.measure(100);
    expect(h.events[0]).toMatchObject({ type: 'alarm', sustainedSeconds: 360 });
  });

  it('reads a delay that is not a number, or negative, as caught up', () => {
    const h = armed({ thresholdSeconds: 5, sustainSeconds: 10 });
    h.hold(50, 11);
    expect(h.kinds()).toEqual(['alarm']);
    h.measure(Number.NaN);
    expect(h.kinds()).toEqual(['alarm', 'recovered']);
    h.measure(-3);
    expect(h.state.phase).toBe('below');
  });

  it('keeps its state through JSON (a scheduler taking the task over carries on the episode)', () => {
    const h = armed();
    h.hold(100, 200);
    const stored = parseDelayAlarmState(JSON.parse(JSON.stringify(h.state)));
    expect(stored).toEqual(h.state);
    h.state = stored!;
    h.hold(100, 161);
    expect(h.kinds()).toEqual(['alarm']);
    expect(parseDelayAlarmState({ phase: 'bogus' })).toBeNull();
    expect(parseDelayAlarmState(null)).toBeNull();
  });

  describe('for any sequence of measurements', () => {
    const settings = fc.record({ thresholdSeconds: fc.integer({ min: 1, max: 3600 }), sustainSeconds: fc.integer({ min: 10, max: 900 }) });
    const measurement = fc.record({ delay: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 8000 })), stepMs: fc.integer({ min: 1, max: 120_000 }), restart: fc.integer({ min: 0, max: 19 }).map((x) => x === 0) });

    it('alternates alarm and recovery, fires only after a full window above since the catch-up ended, and never during a catch-up', () => {
      fc.assert(
        fc.property(settings, fc.array(measurement, { maxLength: 300 }), (s, seq) => {
          const h = new AlarmHarness(s);
          let catchingUp = true;
          let aboveSince: number | null = null;
          for (const m of seq) {
            if (m.restart) {
              h.restart();
              catchingUp = true;
              aboveSince = null;
            }
            const now = h.now;
            const above = m.delay > s.thresholdSeconds;
            const event = h.measure(m.delay, m.stepMs);
            if (event?.type === 'alarm') {
              expect(catchingUp).toBe(false);
              expect(aboveSince).not.toBeNull();
              expect(now - aboveSince!).toBeGreaterThanOrEqual(s.sustainSeconds * 1000);
              expect(above).toBe(true);
            }
            if (event?.type === 'recovered') expect(above).toBe(false);
            if (!above) {
              catchingUp = false;
              aboveSince = null;
            } else if (!catchingUp && aboveSince === null) {
              aboveSince = now;
            }
          }
          const kinds = h.kinds();
          kinds.forEach((k, i) => expect(k).toBe(i % 2 === 0 ? 'alarm' : 'recovered'));
        }),
        { numRuns: 300 },
      );
    });

    it('fires exactly when a model of the rule says so', () => {
      fc.assert(
        fc.property(settings, fc.array(measurement, { maxLength: 300 }), (s, seq) => {
          const h = new AlarmHarness(s);
          // Model: an alarm is due when the run of above-threshold measurements that began after
          // the catch-up has lasted the window and has not alarmed yet.
          let catchingUp = true;
          let runStart: number | null = null;
          let alarmed = false;
          for (const m of seq) {
            const now = h.now;
            const above = m.delay > s.thresholdSeconds;
            let expected: string | null = null;
            if (!above) {
              if (alarmed) expected = 'recovered';
              catchingUp = false;
              runStart = null;
              alarmed = false;
            } else if (!catchingUp) {
              runStart ??= now;
              if (!alarmed && now - runStart >= s.sustainSeconds * 1000) {
                expected = 'alarm';
                alarmed = true;
              }
            }
            expect(h.measure(m.delay, m.stepMs)?.type ?? null).toBe(expected);
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});
