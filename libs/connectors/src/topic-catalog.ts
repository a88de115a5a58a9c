import type { DestinationConfig, DestinationTopicsView } from '@walbridge/contracts';
import { openKafkaSession } from './destination-probe';
import { explainKafkaError } from './kafka-errors';
import type { OutboundPolicy } from './outbound-policy';
import type { ExplainedFailure } from './source-errors';

/** A pick list, not a catalogue: past this many the user types a prefix and sees the first ones. */
export const TOPIC_LIST_LIMIT = 1000;

/**
 * The topics of a cluster with their partition counts, for the console's topic pick lists.
 * Internal topics (`__consumer_offsets`, `__transaction_state`, …) are not offered.
 */
export async function listDestinationTopics(
  destination: DestinationConfig,
  policy: OutboundPolicy,
): Promise<{ ok: true; view: DestinationTopicsView } | { ok: false; failure: ExplainedFailure }> {
  const opened = await openKafkaSession(destination, 'walbridge-topic-picker', policy);
  if (!opened.ok) return opened;
  try {
    const names = (await opened.session.admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
    const shown = names.slice(0, TOPIC_LIST_LIMIT);
    const metadata = shown.length ? await opened.session.admin.fetchTopicMetadata({ topics: shown }) : { topics: [] };
    const partitions = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
    return { ok: true, view: { topics: shown.map((name) => ({ name, partitions: partitions.get(name) ?? 0 })), truncated: names.length > shown.length } };
  } catch (error) {
    return { ok: false, failure: explainKafkaError(error, destination) };
  } finally {
    await opened.session.close();
  }
}
