import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/**
 * A login session. Kept in the metadata database (not in API memory) so any API replica
 * accepts it. Only the SHA-256 of the session token is stored: a database dump opens nothing.
 */
@Entity({ name: 'user_session' })
@Index('user_session_user_idx', ['userId'])
export class UserSessionEntity {
  /** SHA-256 (hex) of the token the browser holds. */
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_user_session_user' })
  user?: UserEntity;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** For the idle timeout (WALBRIDGE_SESSION_IDLE_MINUTES); moved forward at most once a minute. */
  @Column({ name: 'last_used_at', type: 'timestamptz', default: () => 'now()' })
  lastUsedAt!: Date;
}
