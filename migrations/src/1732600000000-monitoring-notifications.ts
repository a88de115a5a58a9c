import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Metrics time series, notification channels, the inbox and its delivery log (PRODUCT.md §6),
 * the alarm state on the task, and the triggers that publish task events: every status change
 * and task log line is announced with NOTIFY on `walbridge_events` in the transaction that makes
 * it, whoever makes it (an api, any scheduler), so the api's live event streams need no polling.
 */
export class MonitoringNotifications1732600000000 implements MigrationInterface {
  name = 'MonitoringNotifications1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "task" ADD "delay_alarm" jsonb`);
    await q.query(`ALTER TABLE "task" ADD "wal_alarm_since" TIMESTAMP WITH TIME ZONE`);
    await q.query(`CREATE TABLE "task_metric" (
      "task_id" uuid NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "status" character varying(32) NOT NULL,
      "delay_seconds" double precision NOT NULL,
      "rows_read_per_second" double precision NOT NULL,
      "rows_written_per_second" double precision NOT NULL,
      "bytes_read_per_second" double precision NOT NULL,
      "bytes_written_per_second" double precision NOT NULL,
      "rows_read" bigint NOT NULL,
      "rows_written" bigint NOT NULL,
      "bytes_read" bigint NOT NULL,
      "bytes_written" bigint NOT NULL,
      "inserts" bigint NOT NULL,
      "updates" bigint NOT NULL,
      "deletes" bigint NOT NULL,
      "confirmed_lsn" character varying(32),
      "retained_wal_bytes" bigint,
      "last_error" text,
      CONSTRAINT "PK_task_metric" PRIMARY KEY ("task_id", "at"),
      CONSTRAINT "FK_task_metric_task" FOREIGN KEY ("task_id") REFERENCES "task"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "task_metric_at_idx" ON "task_metric" ("at")`);
    await q.query(`CREATE TABLE "notification_channel" (
      "id" uuid NOT NULL,
      "type" character varying(16) NOT NULL,
      "name" character varying(64) NOT NULL,
      "enabled" boolean NOT NULL DEFAULT true,
      "config" jsonb NOT NULL,
      "secrets" bytea,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_notification_channel" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "notification_channel_name_key" ON "notification_channel" ("name")`);
    await q.query(`CREATE TABLE "notification" (
      "id" uuid NOT NULL,
      "task_id" uuid,
      "task_name" character varying(50),
      "kind" character varying(32) NOT NULL,
      "severity" character varying(16) NOT NULL,
      "title" character varying(500) NOT NULL,
      "message" text NOT NULL,
      "runbook" text NOT NULL,
      "figures" jsonb NOT NULL,
      "dedupe_key" character varying(200),
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_notification" PRIMARY KEY ("id"),
      CONSTRAINT "FK_notification_task" FOREIGN KEY ("task_id") REFERENCES "task"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "notification_created_idx" ON "notification" ("created_at", "id")`);
    await q.query(`CREATE INDEX "notification_task_idx" ON "notification" ("task_id", "created_at")`);
    await q.query(`CREATE UNIQUE INDEX "notification_dedupe_key" ON "notification" ("dedupe_key")`);
    await q.query(`CREATE TABLE "notification_read" (
      "notification_id" uuid NOT NULL,
      "user_id" uuid NOT NULL,
      "read_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_notification_read" PRIMARY KEY ("notification_id", "user_id"),
      CONSTRAINT "FK_notification_read_notification" FOREIGN KEY ("notification_id") REFERENCES "notification"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "notification_read_user_idx" ON "notification_read" ("user_id")`);
    await q.query(`CREATE TABLE "notification_delivery" (
      "id" uuid NOT NULL,
      "notification_id" uuid NOT NULL,
      "channel_id" uuid NOT NULL,
      "channel_name" character varying(64) NOT NULL,
      "channel_type" character varying(16) NOT NULL,
      "status" character varying(16) NOT NULL,
      "attempts" integer NOT NULL DEFAULT 0,
      "last_error" text,
      "delivered_at" TIMESTAMP WITH TIME ZONE,
      "log" jsonb NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_notification_delivery" PRIMARY KEY ("id"),
      CONSTRAINT "FK_notification_delivery_notification" FOREIGN KEY ("notification_id") REFERENCES "notification"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "notification_delivery_notification_idx" ON "notification_delivery" ("notification_id")`);

    // A NOTIFY payload may not exceed 8000 bytes, and a failing NOTIFY would fail the write that
    // fires it: long texts are cut, and cut again if the whole event is still too long.
    await q.query(`CREATE FUNCTION walbridge_publish_event(kind text, task uuid, data jsonb) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE payload text;
      BEGIN
        payload := json_build_object('type', kind, 'taskId', task, 'data', data)::text;
        IF octet_length(payload) > 7900 THEN
          payload := json_build_object('type', kind, 'taskId', task, 'data', data - 'message' - 'lastError' || jsonb_build_object('truncated', true))::text;
        END IF;
        PERFORM pg_notify('walbridge_events', payload);
      END $$`);
    await q.query(`CREATE FUNCTION walbridge_task_status_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM walbridge_publish_event('status', NEW.id, jsonb_build_object(
          'status', NEW.status, 'previousStatus', OLD.status, 'pendingOperation', NEW.requested_operation,
          'lastError', left(NEW.last_error, 2000), 'delaySeconds', NEW.delay_seconds, 'confirmedLsn', NEW.confirmed_lsn,
          'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')));
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER "task_status_event" AFTER UPDATE ON "task" FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.requested_operation IS DISTINCT FROM NEW.requested_operation)
      EXECUTE FUNCTION walbridge_task_status_event()`);
    await q.query(`CREATE FUNCTION walbridge_task_log_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM walbridge_publish_event('log', NEW.task_id, jsonb_build_object(
          'id', NEW.id::text, 'level', NEW.level, 'message', left(NEW.message, 2000),
          'time', to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')));
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER "task_log_event" AFTER INSERT ON "task_log" FOR EACH ROW EXECUTE FUNCTION walbridge_task_log_event()`);
    await q.query(`CREATE FUNCTION walbridge_notification_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM walbridge_publish_event('notification', NEW.task_id, jsonb_build_object(
          'id', NEW.id, 'kind', NEW.kind, 'severity', NEW.severity, 'title', left(NEW.title, 500),
          'createdAt', to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')));
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER "notification_event" AFTER INSERT ON "notification" FOR EACH ROW EXECUTE FUNCTION walbridge_notification_event()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "notification_event" ON "notification"`);
    await q.query(`DROP TRIGGER "task_log_event" ON "task_log"`);
    await q.query(`DROP TRIGGER "task_status_event" ON "task"`);
    await q.query(`DROP FUNCTION walbridge_notification_event()`);
    await q.query(`DROP FUNCTION walbridge_task_log_event()`);
    await q.query(`DROP FUNCTION walbridge_task_status_event()`);
    await q.query(`DROP FUNCTION walbridge_publish_event(text, uuid, jsonb)`);
    await q.query(`DROP TABLE "notification_delivery"`);
    await q.query(`DROP TABLE "notification_read"`);
    await q.query(`DROP TABLE "notification"`);
    await q.query(`DROP TABLE "notification_channel"`);
    await q.query(`DROP TABLE "task_metric"`);
    await q.query(`ALTER TABLE "task" DROP COLUMN "wal_alarm_since"`);
    await q.query(`ALTER TABLE "task" DROP COLUMN "delay_alarm"`);
  }
}
