import type { MigrationInterface, QueryRunner } from 'typeorm';
import { loadConfig, loadMasterKey } from '@walbridge/config';
import { SecretBox, hasLegacySecrets, resealSecrets } from '@walbridge/persistence';

/**
 * Credentials sealed before they were bound to their endpoint are re-sealed bound to it (the
 * master key is read only when such rows exist, so a fresh database needs none), and sessions
 * get the time of their last use for the idle timeout.
 */
export class SecurityHardening1733100000000 implements MigrationInterface {
  name = 'SecurityHardening1733100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "user_session" ADD "last_used_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`);
    if (await hasLegacySecrets(q.manager)) {
      const box = new SecretBox(loadMasterKey(loadConfig()));
      const count = await resealSecrets(q.manager, box, box, { legacyOnly: true });
      console.log(`re-sealed the credentials of ${count.tasks} task(s) and ${count.channels} channel(s), bound to their endpoints`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    // Endpoint-bound secrets stay readable by this version only; going back means entering them again.
    await q.query(`ALTER TABLE "user_session" DROP COLUMN "last_used_at"`);
  }
}
