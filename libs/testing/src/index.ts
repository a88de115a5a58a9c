export * from './test-env';
export * from './wait-for';
export * from './api-client';
export * from './kafka-fixture';
export * from './source-db';
export * from './worker-process';
export * from './dedicated-stack';
export * from './control-plane';
