import { Global, Module } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@walbridge/config';
import {
  ApiTokenRepository,
  PrecheckRepository,
  AuditLogRepository,
  NotificationChannelRepository,
  NotificationRepository,
  SavedConnectionRepository,
  TaskBackfillRepository,
  TaskLogRepository,
  TaskMetricRepository,
  TaskRepository,
  UserRepository,
  UserSessionRepository,
  metadataDataSourceOptions,
} from '@walbridge/persistence';
import { APP_CONFIG } from './app-config.module';

const REPOSITORIES = [
  TaskRepository,
  TaskLogRepository,
  PrecheckRepository,
  UserRepository,
  UserSessionRepository,
  ApiTokenRepository,
  AuditLogRepository,
  TaskMetricRepository,
  NotificationChannelRepository,
  NotificationRepository,
  SavedConnectionRepository,
  TaskBackfillRepository,
];

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => metadataDataSourceOptions(config.WALBRIDGE_DATABASE_URL),
    }),
  ],
  providers: REPOSITORIES.map((repository) => ({
    provide: repository,
    inject: [getDataSourceToken()],
    useFactory: (ds: DataSource) => new repository(ds),
  })),
  exports: REPOSITORIES,
})
export class DatabaseModule {}
