export * from './precheck-items';
export * from './precheck-facts';
export { SOURCE_ITEM_KEYS, evaluateSource, sourceItemsWithoutConnection } from './evaluate-source';
export { DESTINATION_ITEM_KEYS, destinationItemsWithoutConnection, evaluateDestination, planTopics, type TopicPlan } from './evaluate-destination';
export { evaluateTask } from './evaluate-task';
export { submitBlockers, type GateRun } from './submit-gate';
export { evaluateRegistry, plannedSubjects, subjectsToAsk, type PlannedSubject, type RegistryFacts, type SubjectVerdict } from './evaluate-registry';
