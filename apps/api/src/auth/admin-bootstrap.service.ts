import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AppConfig } from '@walbridge/config';
import { APP_CONFIG } from '@walbridge/nest-common';
import { UserRepository } from '@walbridge/persistence';
import { hashPassword } from './password-hasher';

/**
 * A fresh installation gets one admin: WALBRIDGE_ADMIN_USER with WALBRIDGE_ADMIN_PASSWORD, or a
 * generated password printed once, now, and never again. Later starts change nothing, so a
 * password changed in the console stays changed.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('auth');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UserRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const username = this.config.WALBRIDGE_ADMIN_USER;
    const given = this.config.WALBRIDGE_ADMIN_PASSWORD;
    const password = given ?? randomBytes(18).toString('base64url');
    const created = await this.users.insertIfEmpty({ id: randomUUID(), username, passwordHash: await hashPassword(password), role: 'admin' });
    if (!created) return;
    if (given) {
      this.logger.log(`first start: created the admin user "${username}" with the password from WALBRIDGE_ADMIN_PASSWORD`);
      return;
    }
    // Deliberately on stdout and only here: this is the one moment the password can be learned.
    process.stdout.write(
      `\n  Walbridge first start: created the admin user "${username}" with the password\n\n      ${password}\n\n` +
        '  It is shown only this once. Log in and change it (or create other users), or set\n' +
        '  WALBRIDGE_ADMIN_PASSWORD before the first start next time.\n\n',
    );
  }
}
