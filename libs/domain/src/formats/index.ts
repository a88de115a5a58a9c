export * from './debezium-types';
export * from './debezium-json';
export * from './canal-json';
export { parseArrayText, ArrayTextError } from './pg-array-text';
export * from './pg-temporal';
export * from './avro-types';
export * from './avro-registry';
export * from './registry-subjects';
