/** What a topic created by topicPolicy.mode "auto" gets when the policy leaves it out. */
export const AUTO_TOPIC_DEFAULTS = { partitions: 1, replicationFactor: 1 } as const;
