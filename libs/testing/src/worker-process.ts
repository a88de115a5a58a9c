import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The pid of the worker process streaming a task (the scheduler forks it with `--task=<id>`). */
export function workerPid(taskId: string): number | null {
  try {
    const out = execFileSync('pgrep', ['-f', `worker.*task=${taskId}`], { encoding: 'utf8' }).trim();
    const pids = out.split('\n').filter(Boolean).map(Number);
    return pids.length ? pids[0] : null;
  } catch {
    return null; // pgrep exits 1 when nothing matches
  }
}

/** Resident set size in bytes, from /proc (VmRSS); null once the process is gone. */
export function residentBytes(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
