// `@walbridge/persistence/testing`: fakes for unit specs, kept out of the lib's main entry.
export * from './in-memory-task-repository';
