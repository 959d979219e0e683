/**
 * Whether a database error is a unique-index violation (MySQL/MariaDB or SQLite): the signal
 * that a racing request inserted the same key first, so the caller takes the other path.
 */
export function isUniqueViolation(error: unknown) {
  const code = (error as { code?: string }).code
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT'
}
