import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Pids of the worker processes that may touch a task's slot (the scheduler forks them with
 * `--task=<id>`; read-only slot checks carry another flag and are not counted).
 */
export function workerPids(taskId: string): number[] {
  try {
    const out = execFileSync('pgrep', ['-f', `worker.*--task=${taskId}`], { encoding: 'utf8' }).trim();
    return out.split('\n').filter(Boolean).map(Number).filter((pid) => !isZombie(pid));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/**
 * Every slot-touching worker on this machine by task id, with its scheduler's pid, from one `ps`
 * (for samplers that watch many tasks often: one process instead of a pgrep per task).
 */
export function workersByTask(): Map<string, { pid: number; schedulerPid: number }[]> {
  const byTask = new Map<string, { pid: number; schedulerPid: number }[]>();
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,stat=,args='], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  for (const line of out.split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (!match || match[3].startsWith('Z')) continue;
    const task = /worker.*--task=(\S+)/.exec(match[4]);
    if (!task) continue;
    const list = byTask.get(task[1]) ?? [];
    list.push({ pid: Number(match[1]), schedulerPid: Number(match[2]) });
    byTask.set(task[1], list);
  }
  return byTask;
}

/** The pid of the worker process streaming a task. */
export function workerPid(taskId: string): number | null {
  return workerPids(taskId)[0] ?? null;
}

/** The parent of a process (for a worker: the scheduler that owns the task), null once it is gone. */
export function parentPid(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
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
