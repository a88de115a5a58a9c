import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Saved connections (issue 15, feature 7): named sources and destinations with sealed
 * credentials. A new table only: tasks name theirs in `config` (`source.connectionId`), so rows
 * and code of earlier versions are untouched.
 */
export class SavedConnections1733600000000 implements MigrationInterface {
  name = 'SavedConnections1733600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "saved_connection" (
      "id" uuid NOT NULL,
      "type" character varying(16) NOT NULL,
      "name" character varying(64) NOT NULL,
      "config" jsonb NOT NULL,
      "secrets" bytea,
      "last_test" jsonb,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_saved_connection" PRIMARY KEY ("id")
    )`);
    await q.query(`CREATE UNIQUE INDEX "saved_connection_name_key" ON "saved_connection" ("name")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "saved_connection"`);
  }
}
