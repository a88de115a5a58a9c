import { useSyncExternalStore } from 'react';

/** Which clock the console shows times in: the browser's or UTC (the source database's logs often are). */
export type TimeZoneChoice = 'local' | 'UTC';

const STORAGE_KEY = 'walbridge.timeZone';
const listeners = new Set<() => void>();

function stored(): TimeZoneChoice {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) === 'UTC' ? 'UTC' : 'local';
  } catch {
    return 'local';
  }
}

let current: TimeZoneChoice = stored();

export function timeZoneChoice(): TimeZoneChoice {
  return current;
}

/** The IANA zone for Intl and uPlot: undefined is the browser's own. */
export function intlTimeZone(choice: TimeZoneChoice = current): string | undefined {
  return choice === 'UTC' ? 'UTC' : undefined;
}

export function setTimeZoneChoice(choice: TimeZoneChoice): void {
  current = choice;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, choice);
  } catch {
    // A browser without storage keeps the choice for this page only.
  }
  for (const listener of listeners) listener();
}

export function useTimeZoneChoice(): TimeZoneChoice {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    timeZoneChoice,
    timeZoneChoice,
  );
}
