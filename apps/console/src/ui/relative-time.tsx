import { useEffect, useState } from 'react';
import { formatDateTime, formatRelative } from './format';
import { useTimeZoneChoice } from './time-zone';

const TICK_MS = 30_000;

/** "3 min ago", the exact time (in the chosen clock) in its title; it ages while the page is open. */
export function RelativeTime({ iso, className }: { iso: string; className?: string }) {
  useTimeZoneChoice();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return (
    <time dateTime={iso} title={formatDateTime(iso)} className={className}>
      {formatRelative(iso, now)}
    </time>
  );
}
