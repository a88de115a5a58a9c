import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal } from './principal';

const storage = new AsyncLocalStorage<Principal>();

/** Runs `work` (a request's handler) with its caller known to `currentActor()`. */
export function runAs<T>(principal: Principal, work: () => T): T {
  return storage.run(principal, work);
}

/** The username behind the current request, for task logs and job payloads; `system` outside one. */
export function currentActor(): string {
  return storage.getStore()?.username ?? 'system';
}
