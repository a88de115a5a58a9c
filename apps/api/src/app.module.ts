import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AppConfigModule, DatabaseModule, QueueRootModule } from '@walbridge/nest-common';
import { ConnectionModule } from './connections/connection.module';
import { FormatsModule } from './formats/formats.module';
import { AuditInterceptor } from './audit/audit.interceptor';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { HealthController } from './health/health.controller';
import { MessageBrowserModule } from './messages/message-browser.module';
import { MonitoringModule } from './monitoring/monitoring.module';
import { NotificationModule } from './notifications/notification.module';
import { PrecheckModule } from './precheck/precheck.module';
import { SourceObjectsModule } from './source-objects/source-objects.module';
import { DestinationTopicsModule } from './destination-topics/destination-topics.module';
import { TaskModule } from './tasks/task.module';
import { SnapshotModule } from './snapshot/snapshot.module';
import { FleetModule } from './fleet/fleet.module';
import { TokenModule } from './tokens/token.module';
import { UserModule } from './users/user.module';

@Module({
  imports: [
    AppConfigModule,
    DatabaseModule,
    QueueRootModule,
    AuthModule,
    UserModule,
    TokenModule,
    TaskModule,
    SnapshotModule,
    FleetModule,
    PrecheckModule,
    ConnectionModule,
    SourceObjectsModule,
    DestinationTopicsModule,
    MessageBrowserModule,
    MonitoringModule,
    NotificationModule,
    FormatsModule,
  ],
  controllers: [HealthController],
  providers: [
    // Every route of every module needs a session or a token and the route's role, unless
    // @Public(); every change is audited. Nothing to do in new controllers.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
})
export class AppModule {}
