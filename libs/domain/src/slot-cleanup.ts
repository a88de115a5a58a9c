import { quoteIdent, quoteLiteral } from './sql-text';

/**
 * What an operator runs on the source database to remove what a force-stopped task left behind:
 * the slot first (it pins WAL), then the publication.
 */
export function slotCleanupSql(slotName: string, publicationName: string): string {
  return `SELECT pg_drop_replication_slot(${quoteLiteral(slotName)}); DROP PUBLICATION IF EXISTS ${quoteIdent(publicationName)};`;
}
