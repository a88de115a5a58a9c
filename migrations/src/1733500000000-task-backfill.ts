import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Full synchronization and backfills (issue 13): per-table progress, stored after Kafka acknowledged each chunk. */
export class TaskBackfill1733500000000 implements MigrationInterface {
  name = 'TaskBackfill1733500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "task_backfill" (
      "id" uuid NOT NULL,
      "task_id" uuid NOT NULL,
      "kind" character varying(16) NOT NULL,
      "status" character varying(16) NOT NULL,
      "all_tables" boolean NOT NULL DEFAULT false,
      "requested_by" character varying(128),
      "error" text,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "started_at" TIMESTAMP WITH TIME ZONE,
      "finished_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_task_backfill" PRIMARY KEY ("id"),
      CONSTRAINT "FK_task_backfill_task" FOREIGN KEY ("task_id") REFERENCES "task"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "task_backfill_task_idx" ON "task_backfill" ("task_id", "created_at")`);
    await q.query(`CREATE TABLE "task_backfill_table" (
      "backfill_id" uuid NOT NULL,
      "schema_name" character varying(63) NOT NULL,
      "table_name" character varying(63) NOT NULL,
      "filter" text,
      "state" character varying(16) NOT NULL,
      "position" jsonb,
      "rows_estimated" bigint NOT NULL DEFAULT 0,
      "rows_sent" bigint NOT NULL DEFAULT 0,
      "chunks_done" integer NOT NULL DEFAULT 0,
      "chunks_total" integer NOT NULL DEFAULT 0,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_task_backfill_table" PRIMARY KEY ("backfill_id", "schema_name", "table_name"),
      CONSTRAINT "FK_task_backfill_table_backfill" FOREIGN KEY ("backfill_id") REFERENCES "task_backfill"("id") ON DELETE CASCADE)`);
    // Progress reaches the api replicas' live streams (SSE event "snapshot") like status changes do.
    await q.query(`CREATE FUNCTION walbridge_backfill_table_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM walbridge_publish_event('snapshot', b.task_id, jsonb_build_object(
          'backfillId', NEW.backfill_id, 'schema', NEW.schema_name, 'table', NEW.table_name, 'state', NEW.state,
          'rowsEstimated', NEW.rows_estimated, 'rowsSent', NEW.rows_sent, 'chunksDone', NEW.chunks_done, 'chunksTotal', NEW.chunks_total))
          FROM "task_backfill" b WHERE b.id = NEW.backfill_id;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER "task_backfill_table_event" AFTER INSERT OR UPDATE ON "task_backfill_table" FOR EACH ROW EXECUTE FUNCTION walbridge_backfill_table_event()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "task_backfill_table_event" ON "task_backfill_table"`);
    await q.query(`DROP FUNCTION walbridge_backfill_table_event()`);
    await q.query(`DROP TABLE "task_backfill_table"`);
    await q.query(`DROP TABLE "task_backfill"`);
  }
}
