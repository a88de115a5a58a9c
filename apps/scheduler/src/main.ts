import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '@walbridge/config';
import { startHealthServer } from './health/health-server';
import { SchedulerModule } from './scheduler.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(SchedulerModule);
  app.enableShutdownHooks();
  const health = startHealthServer(config.WALBRIDGE_SCHEDULER_HEALTH_PORT, config.WALBRIDGE_API_HOST, app.get<DataSource>(getDataSourceToken()));
  health.on('error', (error) => Logger.warn(`health endpoint unavailable: ${error.message}`, 'walbridge'));
  process.once('SIGTERM', () => health.close());
  Logger.log(`scheduler started (health on ${config.WALBRIDGE_API_HOST}:${config.WALBRIDGE_SCHEDULER_HEALTH_PORT})`, 'walbridge');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
