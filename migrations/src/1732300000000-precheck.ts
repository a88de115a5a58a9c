import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Precheck1732300000000 implements MigrationInterface {
  name = 'Precheck1732300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "precheck_run" (
      "id" uuid NOT NULL,
      "task_id" uuid NOT NULL,
      "status" character varying(16) NOT NULL,
      "result" character varying(8),
      "config_hash" character varying(64),
      "options" jsonb NOT NULL DEFAULT '{}',
      "error" text,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "finished_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_precheck_run" PRIMARY KEY ("id"),
      CONSTRAINT "FK_precheck_run_task" FOREIGN KEY ("task_id") REFERENCES "task"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "precheck_run_task_idx" ON "precheck_run" ("task_id", "created_at")`);
    await q.query(`CREATE TABLE "precheck_item" (
      "id" uuid NOT NULL,
      "run_id" uuid NOT NULL,
      "position" smallint NOT NULL,
      "key" character varying(48) NOT NULL,
      "result" character varying(8) NOT NULL,
      "reason" text,
      "suggestion" text,
      "affected_objects" jsonb NOT NULL DEFAULT '[]',
      "confirmed_at" TIMESTAMP WITH TIME ZONE,
      "confirmed_by" character varying(128),
      CONSTRAINT "PK_precheck_item" PRIMARY KEY ("id"),
      CONSTRAINT "FK_precheck_item_run" FOREIGN KEY ("run_id") REFERENCES "precheck_run"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE UNIQUE INDEX "precheck_item_run_idx" ON "precheck_item" ("run_id", "position")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "precheck_item"`);
    await q.query(`DROP TABLE "precheck_run"`);
  }
}
