import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tasks remember where the slot they created begins: a slot that disappears after that is
 * reported as lost (changes since cannot be recovered), never created again silently.
 */
export class SlotCreatedLsn1733400000000 implements MigrationInterface {
  name = 'SlotCreatedLsn1733400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "task" ADD "slot_created_lsn" character varying(32)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "task" DROP COLUMN "slot_created_lsn"`);
  }
}
