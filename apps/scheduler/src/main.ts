import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '@walbridge/config';
import { FleetCoordinator } from './fleet/fleet-coordinator.service';
import { startHealthServer } from './health/health-server';
import { SchedulerModule } from './scheduler.module';
import { workerTuning } from './worker-tuning';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  // The workers' tuning is validated now too: a bad value stops the scheduler, not each worker.
  workerTuning();
  const app = await NestFactory.createApplicationContext(SchedulerModule);
  // SIGTERM is ours (below): Nest's hook would re-raise the signal, and a drain must exit 0.
  app.enableShutdownHooks(['SIGINT']);
  const health = startHealthServer(config.WALBRIDGE_SCHEDULER_HEALTH_PORT, config.WALBRIDGE_API_HOST, app.get<DataSource>(getDataSourceToken()));
  health.on('error', (error) => Logger.warn(`health endpoint unavailable: ${error.message}`, 'walbridge'));
  process.once('SIGTERM', () => {
    health.close();
    // A planned stop is a drain: every task is handed over, already confirmed, to the others.
    // A failed drain still closes (the leases then expire and others take over from the last
    // confirmed position), but the exit code says the handover was not clean.
    let drained = true;
    void app
      .get(FleetCoordinator)
      .shutdown()
      .catch((error: Error) => {
        drained = false;
        Logger.error(`drain failed: ${error.message}`, 'walbridge');
      })
      .then(() => app.close())
      .then(
        () => process.exit(drained ? 0 : 1),
        (error: Error) => {
          Logger.error(`shutdown failed: ${error.message}`, 'walbridge');
          process.exit(1);
        },
      );
  });
  Logger.log(`scheduler started (health on ${config.WALBRIDGE_API_HOST}:${config.WALBRIDGE_SCHEDULER_HEALTH_PORT})`, 'walbridge');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
