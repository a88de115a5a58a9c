/** quote_literal / quote_ident, so the SQL shown to an operator can be pasted as is. */
function sqlLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function sqlIdent(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * What an operator runs on the source database to remove what a force-stopped task left behind:
 * the slot first (it pins WAL), then the publication.
 */
export function slotCleanupSql(slotName: string, publicationName: string): string {
  return `SELECT pg_drop_replication_slot(${sqlLiteral(slotName)}); DROP PUBLICATION IF EXISTS ${sqlIdent(publicationName)};`;
}
