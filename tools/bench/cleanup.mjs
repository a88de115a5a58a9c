// Undo steps registered as resources are created and run in reverse order at the end, whether
// the benchmark succeeded, failed or was interrupted, so no slot is left pinning WAL.
import { log } from '../lib/workspace.mjs';
import { withTimeout } from './util.mjs';

export class Cleanup {
  #steps = [];
  #running;

  /** Registers an undo step; steps run last-registered first. */
  defer(name, fn, timeoutMs = 120_000) {
    this.#steps.push({ name, fn, timeoutMs });
  }

  /** Runs every step once (later calls wait for the first); a failing step does not stop the others. */
  run() {
    this.#running ??= (async () => {
      while (this.#steps.length) {
        const step = this.#steps.pop();
        try {
          await withTimeout(`cleanup: ${step.name}`, Promise.resolve().then(step.fn), step.timeoutMs);
        } catch (error) {
          log(`cleanup: ${step.name} failed: ${error.message}`);
        }
      }
    })();
    return this.#running;
  }
}
