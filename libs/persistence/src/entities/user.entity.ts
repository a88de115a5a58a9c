import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Role } from '@walbridge/contracts';

/** A person or automation that may log in. `user` is reserved in SQL, hence `app_user`. */
@Entity({ name: 'app_user' })
@Index('app_user_username_key', ['username'], { unique: true })
export class UserEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** Lowercase (contracts' username rules), so uniqueness is case-insensitive. */
  @Column({ type: 'varchar', length: 64 })
  username!: string;

  /** `scrypt$N$r$p$salt$hash`; never leaves the API process. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: Role;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
