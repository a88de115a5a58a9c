import 'reflect-metadata';

export * from './entities';
export * from './secret-box';
export * from './data-source-options';
export * from './repositories';
export * from './config-fingerprint';
export * from './secrets.service';
export * from './secret-reseal';
