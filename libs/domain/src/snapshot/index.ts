export * from './snapshot-window';
export * from './added-tables';
export * from './snapshot-message-id';
