export * from './snapshot-window';
