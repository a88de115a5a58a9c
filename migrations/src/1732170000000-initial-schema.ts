import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1732170000000 implements MigrationInterface {
  name = 'InitialSchema1732170000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "task" (
      "id" uuid NOT NULL,
      "name" character varying(50) NOT NULL,
      "status" character varying(32) NOT NULL,
      "config" jsonb NOT NULL,
      "secrets" bytea,
      "slot_name" character varying(63) NOT NULL,
      "publication_name" character varying(63) NOT NULL,
      "confirmed_lsn" character varying(32),
      "delay_seconds" double precision,
      "requested_operation" character varying(16),
      "last_error" text,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_task" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "task_status_idx" ON "task" ("status")`);
    await q.query(`CREATE TABLE "task_log" (
      "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
      "task_id" uuid NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "level" character varying(8) NOT NULL,
      "message" text NOT NULL,
      CONSTRAINT "PK_task_log" PRIMARY KEY ("id"),
      CONSTRAINT "FK_task_log_task" FOREIGN KEY ("task_id") REFERENCES "task"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "task_log_task_idx" ON "task_log" ("task_id", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "task_log"`);
    await q.query(`DROP TABLE "task"`);
  }
}
