export * from './snapshot-window';
export * from './added-tables';
