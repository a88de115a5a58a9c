import { errorTree, type FailureLike } from '@walbridge/domain';

/**
 * What the sink throws when Kafka refuses a batch, so its callers (the pipeline) read a class
 * instead of Kafka's error codes. Each keeps the client's error as its cause: the failure
 * classifier still finds a broken connection in it.
 */

/** Kafka refused the batch as larger than a topic's max.message.bytes: nothing of it was written. */
export class BatchTooLargeError extends Error {
  override readonly name = 'BatchTooLargeError';
}

/** Kafka does not know a topic (or partition) of the batch: it may have been deleted. */
export class UnknownTopicError extends Error {
  override readonly name = 'UnknownTopicError';
}

/** A broker error code, as kafkajs (`type`) or @platformatic/kafka (`apiId`) names it. */
function isCode(e: FailureLike, code: string): boolean {
  return e.type === code || e.apiId === code;
}

/** Something in the error or what it wraps: kafkajs (admin) and @platformatic/kafka (producer) both wrap what the broker said. */
function someCause(error: unknown, test: (e: FailureLike) => boolean): boolean {
  return errorTree(error).some(test);
}

function isTooLarge(error: unknown): boolean {
  return someCause(error, (e) => isCode(e, 'MESSAGE_TOO_LARGE') || isCode(e, 'RECORD_LIST_TOO_LARGE'));
}

/**
 * @platformatic/kafka's answer when the metadata of a topic it produces to says "unknown topic"
 * (broker error 3): a UserError of its own, without the broker's code.
 */
function isProducerUnknownTopic(e: FailureLike): boolean {
  return e.code === 'PLT_KFK_USER' && typeof e.message === 'string' && e.message.startsWith('Unknown topic ');
}

/**
 * Kafka does not know a topic (or partition) we produce to or ask about: it may have been
 * deleted. Reads the sink's own error, the producer's and the admin client's (topic metadata calls).
 */
export function isUnknownTopic(error: unknown): boolean {
  return someCause(
    error,
    (e) =>
      e instanceof UnknownTopicError ||
      isProducerUnknownTopic(e) ||
      isCode(e, 'UNKNOWN_TOPIC_OR_PARTITION') ||
      e.name === 'KafkaJSTopicMetadataNotLoaded' ||
      e.name === 'KafkaJSMetadataNotLoaded',
  );
}

/** The distinct innermost messages of an error tree (the errors that wrap nothing). */
function rootMessages(error: unknown): string {
  const leaves = errorTree(error).filter((e) => !e.cause && !e.originalError && !(Array.isArray(e.errors) && e.errors.length));
  const messages = new Set(leaves.map((e) => e.message).filter((m): m is string => typeof m === 'string'));
  return [...messages].join('; ') || String(error);
}

/**
 * The producer's failure to send a batch as the sink's own error. The client wraps the broker's
 * answer in layers of "Producing messages failed.": the message says what the broker said.
 */
export function sendFailure(error: unknown): Error {
  const message = rootMessages(error);
  if (isTooLarge(error)) return new BatchTooLargeError(message, { cause: error });
  if (isUnknownTopic(error)) return new UnknownTopicError(message, { cause: error });
  return new Error(message, { cause: error });
}
