/**
 * A change that cannot be delivered (PRODUCT.md §5): larger than the broker accepts, or not
 * encodable. It is never skipped: the task fails on it, and the scheduler notifies it as a data
 * exception (alarms.dataExceptionNotify) besides retrying it like any other failure.
 */
export class DataExceptionError extends Error {
  readonly dataException = true;
}

/** Kafka error types of a record the broker refuses for its size (kafkajs protocol error types). */
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** Whether Kafka refused a batch because a record is too large, looking through wrapped causes. */
export function tooLargeForKafka(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current && typeof current === 'object'; depth++) {
    const e = current as { type?: unknown; cause?: unknown; originalError?: unknown };
    if (typeof e.type === 'string' && TOO_LARGE.has(e.type)) return true;
    current = e.cause ?? e.originalError;
  }
  return false;
}

export function isDataException(error: unknown): boolean {
  return error instanceof DataExceptionError || (typeof error === 'object' && error !== null && (error as { dataException?: unknown }).dataException === true);
}
