/**
 * The relay's mail on disk: one SQLite database (better-sqlite3) in the data
 * directory. Each recipient's mailbox keeps the hashes of the tokens it
 * handed out and the sealed envelopes left for it; every deposit is committed
 * with `synchronous = FULL` before it is answered, so an answer survives a
 * crash or `kill -9`. The counts each limit checks are kept in the same
 * transactions as the envelopes they count.
 */
import Database from 'better-sqlite3'

export interface MailLimits {
  /** Bytes of envelopes one recipient's mailbox may hold. */
  maxBytesPerRecipient: number
  maxEnvelopesPerRecipient: number
  maxEnvelopeBytes: number
  /** How long an envelope is kept, and how long a mailbox lives after its owner was last seen. */
  ttlMs: number
  /** Bytes of envelopes the whole relay may hold. */
  maxTotalBytes: number
}

/** Why a deposit was refused; `limit` and `value` for the limits. */
export type DepositRefusal =
  | { reason: 'no-mailbox' }
  | { reason: 'not-allowed' }
  | { reason: 'envelope-too-large' | 'mailbox-full-bytes' | 'mailbox-full-envelopes' | 'relay-full', limit: number, value: number }

export interface StoredEnvelopeRow { id: number, depositedAt: number, envelope: Uint8Array }

/** What waits in one mailbox. */
export interface Waiting { envelopes: number, bytes: number }

export interface MailStoreStats { mailboxes: number, envelopes: number, bytes: number }

/** Tokens one mailbox may register; more than a person has contacts. */
export const MAX_TOKENS_PER_MAILBOX = 4096

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS mailboxes (
    recipient TEXT PRIMARY KEY,
    seen_at INTEGER NOT NULL,
    envelopes INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE IF NOT EXISTS tokens (
    recipient TEXT NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (recipient, hash)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS envelopes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient TEXT NOT NULL,
    deposited_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    size INTEGER NOT NULL,
    body BLOB NOT NULL
  );
  CREATE INDEX IF NOT EXISTS envelopes_by_recipient ON envelopes (recipient, id);
  CREATE INDEX IF NOT EXISTS envelopes_by_expiry ON envelopes (expires_at);
`

/** Mailboxes and envelopes in SQLite; one writer (the relay's process). */
export class MailStore {
  readonly #db: Database.Database
  readonly #limits: MailLimits
  #totalBytes: number
  readonly #q

  private constructor (db: Database.Database, limits: MailLimits) {
    this.#db = db
    this.#limits = limits
    this.#q = {
      mailbox: db.prepare<[string], { seen_at: number, envelopes: number, bytes: number }>('SELECT seen_at, envelopes, bytes FROM mailboxes WHERE recipient = ?'),
      upsertMailbox: db.prepare('INSERT INTO mailboxes (recipient, seen_at) VALUES (?, ?) ON CONFLICT (recipient) DO UPDATE SET seen_at = excluded.seen_at'),
      clearTokens: db.prepare('DELETE FROM tokens WHERE recipient = ?'),
      addToken: db.prepare('INSERT OR IGNORE INTO tokens (recipient, hash) VALUES (?, ?)'),
      hasToken: db.prepare<[string, Uint8Array], { one: number }>('SELECT 1 AS one FROM tokens WHERE recipient = ? AND hash = ?'),
      insert: db.prepare('INSERT INTO envelopes (recipient, deposited_at, expires_at, size, body) VALUES (?, ?, ?, ?, ?)'),
      count: db.prepare('UPDATE mailboxes SET envelopes = envelopes + ?, bytes = bytes + ? WHERE recipient = ?'),
      page: db.prepare<[string, number, number, number], { id: number, deposited_at: number, body: Buffer }>(
        'SELECT id, deposited_at, body FROM envelopes WHERE recipient = ? AND id > ? AND expires_at > ? ORDER BY id LIMIT ?'),
      sizeOf: db.prepare<[number, string], { size: number }>('SELECT size FROM envelopes WHERE id = ? AND recipient = ?'),
      remove: db.prepare('DELETE FROM envelopes WHERE id = ?'),
      expired: db.prepare<[number, number], { id: number, recipient: string, size: number }>('SELECT id, recipient, size FROM envelopes WHERE expires_at <= ? LIMIT ?'),
      staleMailboxes: db.prepare<[number], { recipient: string }>('SELECT recipient FROM mailboxes WHERE seen_at <= ? AND envelopes = 0'),
      dropMailbox: db.prepare('DELETE FROM mailboxes WHERE recipient = ?'),
      totals: db.prepare<[], { mailboxes: number, envelopes: number | null, bytes: number | null }>('SELECT COUNT(*) AS mailboxes, SUM(envelopes) AS envelopes, SUM(bytes) AS bytes FROM mailboxes')
    }
    this.#totalBytes = this.stats().bytes
  }

  /** Opens (or creates) the database at `path`. */
  static open (path: string, limits: MailLimits): MailStore {
    const db = new Database(path)
    // WAL with FULL sync: a committed deposit is on disk before its answer, and readers never wait for the writer.
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.exec(SCHEMA)
    return new MailStore(db, limits)
  }

  get limits (): MailLimits {
    return this.#limits
  }

  /**
   * The recipient's mailbox as it says now: these token hashes, and no
   * others, may deposit. Creates the mailbox, and marks its owner seen.
   */
  register (recipient: string, tokenHashes: Uint8Array[], now: number): Waiting {
    this.#db.transaction(() => {
      this.#q.upsertMailbox.run(recipient, now)
      this.#q.clearTokens.run(recipient)
      for (const hash of tokenHashes.slice(0, MAX_TOKENS_PER_MAILBOX)) this.#q.addToken.run(recipient, hash)
    })()
    return this.waiting(recipient)
  }

  /** Stores an envelope for `recipient` if its mailbox takes it; answers its id, or why not. Durable once it returns. */
  deposit (recipient: string, tokenHash: Uint8Array, envelope: Uint8Array, now: number): { id: number } | DepositRefusal {
    return this.depositMany([{ recipient, tokenHash, envelope }], now)[0]!
  }

  /**
   * Stores several deposits in one transaction, one flush to disk for all of
   * them (a group commit: the disk's flush, not the work, bounds deposits one
   * at a time). Each is checked against the limits as the ones before it
   * left them; answers each one's id, or why not. Durable once it returns.
   */
  depositMany (deposits: Array<{ recipient: string, tokenHash: Uint8Array, envelope: Uint8Array }>, now: number): Array<{ id: number } | DepositRefusal> {
    const limits = this.#limits
    let added = 0
    const results = this.#db.transaction(() => deposits.map(({ recipient, tokenHash, envelope }): { id: number } | DepositRefusal => {
      const mailbox = this.#q.mailbox.get(recipient)
      if (mailbox == null || mailbox.seen_at + limits.ttlMs <= now) return { reason: 'no-mailbox' }
      if (this.#q.hasToken.get(recipient, tokenHash) == null) return { reason: 'not-allowed' }
      const size = envelope.byteLength
      const total = this.#totalBytes + added
      if (size > limits.maxEnvelopeBytes) return { reason: 'envelope-too-large', limit: limits.maxEnvelopeBytes, value: size }
      if (mailbox.envelopes + 1 > limits.maxEnvelopesPerRecipient) return { reason: 'mailbox-full-envelopes', limit: limits.maxEnvelopesPerRecipient, value: mailbox.envelopes + 1 }
      if (mailbox.bytes + size > limits.maxBytesPerRecipient) return { reason: 'mailbox-full-bytes', limit: limits.maxBytesPerRecipient, value: mailbox.bytes + size }
      if (total + size > limits.maxTotalBytes) return { reason: 'relay-full', limit: limits.maxTotalBytes, value: total + size }
      const { lastInsertRowid } = this.#q.insert.run(recipient, now, now + limits.ttlMs, size, envelope)
      this.#q.count.run(1, size, recipient)
      added += size
      return { id: Number(lastInsertRowid) }
    }))()
    this.#totalBytes += added
    return results
  }

  /** The recipient's envelopes after `after`, oldest first, at most `limit`; marks its owner seen. */
  fetch (recipient: string, after: number, limit: number, now: number): { envelopes: StoredEnvelopeRow[], more: boolean, waiting: Waiting } {
    const rows = this.#q.page.all(recipient, after, now, limit + 1)
    if (this.#q.mailbox.get(recipient) != null) this.#q.upsertMailbox.run(recipient, now)
    return {
      envelopes: rows.slice(0, limit).map(r => ({ id: r.id, depositedAt: r.deposited_at, envelope: new Uint8Array(r.body) })),
      more: rows.length > limit,
      waiting: this.waiting(recipient)
    }
  }

  /** Removes the recipient's envelopes among `ids` (others' ids are ignored); answers how many went. */
  delete (recipient: string, ids: number[]): number {
    let removed = 0
    let bytes = 0
    this.#db.transaction(() => {
      for (const id of ids) {
        const row = this.#q.sizeOf.get(id, recipient)
        if (row == null) continue
        this.#q.remove.run(id)
        removed += 1
        bytes += row.size
      }
      if (removed > 0) this.#q.count.run(-removed, -bytes, recipient)
    })()
    this.#totalBytes -= bytes
    return removed
  }

  /** What waits in the recipient's mailbox (nothing when it has none). */
  waiting (recipient: string): Waiting {
    const mailbox = this.#q.mailbox.get(recipient)
    return { envelopes: mailbox?.envelopes ?? 0, bytes: mailbox?.bytes ?? 0 }
  }

  /** Whether the recipient has a live mailbox here. */
  hasMailbox (recipient: string, now: number): boolean {
    const mailbox = this.#q.mailbox.get(recipient)
    return mailbox != null && mailbox.seen_at + this.#limits.ttlMs > now
  }

  /**
   * Removes envelopes past their time to live (at most `batch` per call, so a
   * large backlog never stalls the relay) and empty mailboxes whose owner was
   * not seen within it. Answers how many envelopes went.
   */
  expire (now: number, batch = 1000): number {
    const rows = this.#q.expired.all(now, batch)
    let bytes = 0
    this.#db.transaction(() => {
      for (const row of rows) {
        this.#q.remove.run(row.id)
        this.#q.count.run(-1, -row.size, row.recipient)
        bytes += row.size
      }
      for (const { recipient } of this.#q.staleMailboxes.all(now - this.#limits.ttlMs)) {
        this.#q.clearTokens.run(recipient)
        this.#q.dropMailbox.run(recipient)
      }
    })()
    this.#totalBytes -= bytes
    return rows.length
  }

  stats (): MailStoreStats {
    const row = this.#q.totals.get()
    return { mailboxes: row?.mailboxes ?? 0, envelopes: row?.envelopes ?? 0, bytes: row?.bytes ?? 0 }
  }

  close (): void {
    this.#db.close()
  }
}
