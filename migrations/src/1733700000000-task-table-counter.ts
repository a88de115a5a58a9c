import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-table counters of a task (issue 15 feature 4): changes sent per table since the task was
 * created, added to by the scheduler with each stored metric sample. A new table: nothing that
 * exists changes, and an older release simply does not write it.
 */
export class TaskTableCounter1733700000000 implements MigrationInterface {
  name = 'TaskTableCounter1733700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "task_table_counter" (
      "task_id" uuid NOT NULL,
      "table_name" character varying(130) NOT NULL,
      "inserts" bigint NOT NULL DEFAULT 0,
      "updates" bigint NOT NULL DEFAULT 0,
      "deletes" bigint NOT NULL DEFAULT 0,
      "truncates" bigint NOT NULL DEFAULT 0,
      "last_change_at" TIMESTAMP WITH TIME ZONE,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_task_table_counter" PRIMARY KEY ("task_id", "table_name"),
      CONSTRAINT "FK_task_table_counter_task" FOREIGN KEY ("task_id") REFERENCES "task"("id") ON DELETE CASCADE)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "task_table_counter"`);
  }
}
