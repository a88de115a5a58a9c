import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Lifecycle state of issue 5: reset/precheck flag, scheduled start, failure episode, slot retention. */
export class TaskLifecycle1732500000000 implements MigrationInterface {
  name = 'TaskLifecycle1732500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "task"
      ADD "precheck_required" boolean NOT NULL DEFAULT false,
      ADD "scheduled_start_at" TIMESTAMP WITH TIME ZONE,
      ADD "failing_since" TIMESTAMP WITH TIME ZONE,
      ADD "failure_kind" character varying(16),
      ADD "retry_until" TIMESTAMP WITH TIME ZONE,
      ADD "auto_stop_at" TIMESTAMP WITH TIME ZONE,
      ADD "retry_exhausted_at" TIMESTAMP WITH TIME ZONE,
      ADD "slot_exists" boolean,
      ADD "slot_retained_bytes" bigint,
      ADD "slot_checked_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "task"
      DROP COLUMN "slot_checked_at",
      DROP COLUMN "slot_retained_bytes",
      DROP COLUMN "slot_exists",
      DROP COLUMN "retry_exhausted_at",
      DROP COLUMN "auto_stop_at",
      DROP COLUMN "retry_until",
      DROP COLUMN "failure_kind",
      DROP COLUMN "failing_since",
      DROP COLUMN "scheduled_start_at",
      DROP COLUMN "precheck_required"`);
  }
}
