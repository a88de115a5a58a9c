import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UsersSessionsTokensAudit1732800000000 implements MigrationInterface {
  name = 'UsersSessionsTokensAudit1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "app_user" (
      "id" uuid NOT NULL,
      "username" character varying(64) NOT NULL,
      "password_hash" character varying(255) NOT NULL,
      "role" character varying(16) NOT NULL,
      "last_login_at" TIMESTAMP WITH TIME ZONE,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_app_user" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "app_user_username_key" ON "app_user" ("username")`);
    await q.query(`CREATE TABLE "user_session" (
      "token_hash" character varying(64) NOT NULL,
      "user_id" uuid NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_user_session" PRIMARY KEY ("token_hash"),
      CONSTRAINT "FK_user_session_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "user_session_user_idx" ON "user_session" ("user_id")`);
    await q.query(`CREATE TABLE "api_token" (
      "id" uuid NOT NULL,
      "user_id" uuid NOT NULL,
      "name" character varying(100) NOT NULL,
      "token_hash" character varying(64) NOT NULL,
      "token_prefix" character varying(16) NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "expires_at" TIMESTAMP WITH TIME ZONE,
      "last_used_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_api_token" PRIMARY KEY ("id"),
      CONSTRAINT "FK_api_token_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE UNIQUE INDEX "api_token_hash_key" ON "api_token" ("token_hash")`);
    await q.query(`CREATE INDEX "api_token_user_idx" ON "api_token" ("user_id")`);
    await q.query(`CREATE TABLE "audit_log" (
      "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "actor_id" uuid,
      "actor" character varying(64) NOT NULL,
      "actor_role" character varying(16),
      "action" character varying(100) NOT NULL,
      "method" character varying(8) NOT NULL,
      "path" character varying(500) NOT NULL,
      "task_id" uuid,
      "target_id" character varying(64),
      "result" character varying(16) NOT NULL,
      "status_code" smallint NOT NULL,
      "error" text,
      "ip" character varying(64),
      CONSTRAINT "PK_audit_log" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "audit_log_task_idx" ON "audit_log" ("task_id", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_log"`);
    await q.query(`DROP TABLE "api_token"`);
    await q.query(`DROP TABLE "user_session"`);
    await q.query(`DROP TABLE "app_user"`);
  }
}
