/**
 * The relay's side of `/peerlink/mailbox/1.0.0`: who may register a mailbox
 * (a peer holding a reservation here), who may deposit in one (the holder of
 * a token its owner registered, at a bounded rate), who may fetch and delete
 * (the owner alone, as its Noise handshake proved), and the notice a
 * connected owner gets when mail arrives.
 */
import { createHash } from 'node:crypto'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { RateLimiter } from '@libp2p/utils'
import {
  MAIL_NOTICE_PROTOCOL, MAILBOX_PROTOCOL, MailboxRequest, MailboxResponse, maxRequestBytes, readMailboxRequest, writeMailboxResponse, writeMailNotice
} from '../../src/common/wire/mailbox-protocol.ts'
import type { DepositRefusal, MailStore, StoredEnvelopeRow } from './mail-store.ts'

export interface MailboxServiceOptions {
  store: MailStore
  /** Deposits one depositor may make per second. */
  depositsPerSecond: number
  /** Whether `peer` may have a mailbox here: it holds a reservation. */
  mayRegister: (peer: PeerId) => boolean
  now?: () => number
  log?: (line: string) => void
}

/** What the service has done since it started: the relay's metrics read it. */
export interface MailboxCounters {
  deposits: number
  depositedBytes: number
  fetched: number
  deleted: number
  expired: number
  notices: number
  refused: Record<string, number>
}

export interface MailboxService {
  readonly counters: MailboxCounters
  stop: () => Promise<void>
}

/** Envelopes one fetch answers at most, and their bytes at most (the asking end reads no more). */
export const FETCH_PAGE_ENVELOPES = 256
export const FETCH_PAGE_BYTES = 4 * 1024 * 1024
/** A token is 16 random bytes; its registered form, SHA-256. */
export const MAILBOX_TOKEN_BYTES = 16
const TOKEN_HASH_BYTES = 32
const STREAM_TIMEOUT_MS = 10_000
const EXPIRY_INTERVAL_MS = 60_000

const REFUSAL_STATUS: Record<DepositRefusal['reason'], MailboxResponse.Status> = {
  'no-mailbox': MailboxResponse.Status.NO_MAILBOX,
  'not-allowed': MailboxResponse.Status.NOT_ALLOWED,
  'envelope-too-large': MailboxResponse.Status.ENVELOPE_TOO_LARGE,
  'mailbox-full-bytes': MailboxResponse.Status.MAILBOX_FULL_BYTES,
  'mailbox-full-envelopes': MailboxResponse.Status.MAILBOX_FULL_ENVELOPES,
  'relay-full': MailboxResponse.Status.RELAY_FULL
}

/** SHA-256 of a token: what a mailbox registers, so the relay's disk holds no token that could deposit. */
export function tokenHash (token: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(token).digest())
}

/** Serves the mailbox on `node`, and expires old mail every minute. */
export async function serveMailbox (node: Libp2p, options: MailboxServiceOptions): Promise<MailboxService> {
  const { store } = options
  const now = options.now ?? Date.now
  const maxEnvelopeBytes = store.limits.maxEnvelopeBytes
  const rate = new RateLimiter({ points: options.depositsPerSecond, duration: 1 })
  const counters: MailboxCounters = { deposits: 0, depositedBytes: 0, fetched: 0, deleted: 0, expired: 0, notices: 0, refused: {} }
  const refuse = (reason: string): void => { counters.refused[reason] = (counters.refused[reason] ?? 0) + 1 }
  const notices = makeNotices(node, counters)

  const commits = makeGroupCommit(store, now)
  const answer = async (request: MailboxRequest, peer: PeerId): Promise<Partial<MailboxResponse>> => {
    const me = peer.toString()
    switch (request.type) {
      case MailboxRequest.Type.REGISTER: {
        if (!options.mayRegister(peer)) { refuse('no-reservation'); return { status: MailboxResponse.Status.NOT_ALLOWED } }
        if (request.tokenHashes.some(h => h.byteLength !== TOKEN_HASH_BYTES)) { refuse('bad-request'); return { status: MailboxResponse.Status.BAD_REQUEST } }
        const waiting = store.register(me, request.tokenHashes, now())
        return { waitingEnvelopes: waiting.envelopes, waitingBytes: waiting.bytes }
      }
      case MailboxRequest.Type.DEPOSIT: {
        try {
          rate.consume(me)
        } catch {
          refuse('rate-limited')
          return { status: MailboxResponse.Status.RATE_LIMITED, limit: options.depositsPerSecond, value: options.depositsPerSecond + 1 }
        }
        let recipient: string
        try {
          recipient = peerIdFromString(request.recipient).toString()
        } catch {
          refuse('bad-request')
          return { status: MailboxResponse.Status.BAD_REQUEST }
        }
        if (request.token.byteLength !== MAILBOX_TOKEN_BYTES || request.envelope.byteLength === 0) { refuse('bad-request'); return { status: MailboxResponse.Status.BAD_REQUEST } }
        const result = await commits.deposit(recipient, tokenHash(request.token), request.envelope)
        if (!('id' in result)) {
          refuse(result.reason)
          return { status: REFUSAL_STATUS[result.reason], ...('limit' in result ? { limit: result.limit, value: result.value } : {}) }
        }
        counters.deposits += 1
        counters.depositedBytes += request.envelope.byteLength
        notices.tell(recipient)
        return { id: result.id }
      }
      case MailboxRequest.Type.FETCH: {
        const limit = Math.min(request.limit === 0 ? FETCH_PAGE_ENVELOPES : request.limit, FETCH_PAGE_ENVELOPES)
        const page = store.fetch(me, request.after, limit, now())
        const envelopes = firstBytes(page.envelopes, FETCH_PAGE_BYTES)
        counters.fetched += envelopes.length
        return {
          envelopes: envelopes.map(e => ({ id: e.id, depositedAt: e.depositedAt, envelope: e.envelope as Uint8Array<ArrayBuffer> })),
          more: page.more || envelopes.length < page.envelopes.length,
          waitingEnvelopes: page.waiting.envelopes,
          waitingBytes: page.waiting.bytes
        }
      }
      case MailboxRequest.Type.DELETE: {
        counters.deleted += store.delete(me, request.ids)
        const waiting = store.waiting(me)
        return { waitingEnvelopes: waiting.envelopes, waitingBytes: waiting.bytes }
      }
      default:
        refuse('bad-request')
        return { status: MailboxResponse.Status.BAD_REQUEST }
    }
  }

  await node.handle(MAILBOX_PROTOCOL, async (stream, connection) => {
    const signal = AbortSignal.timeout(STREAM_TIMEOUT_MS)
    try {
      const request = await readMailboxRequest(stream, maxRequestBytes(maxEnvelopeBytes), { signal })
      await writeMailboxResponse(stream, { ...await answer(request, connection.remotePeer), maxEnvelopeBytes }, { signal })
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  })

  const expiry = setInterval(() => {
    counters.expired += store.expire(now())
  }, EXPIRY_INTERVAL_MS)
  expiry.unref()

  return {
    counters,
    stop: async () => {
      clearInterval(expiry)
      await node.unhandle(MAILBOX_PROTOCOL)
    }
  }
}

/** Deposits that arrive together: at most this many share one transaction and one flush to disk. */
const GROUP_COMMIT_MAX = 256

/**
 * Deposits arriving while one transaction is written wait for the next, and
 * go in it together: one flush to disk for all (each is answered only after
 * it), instead of one flush each.
 */
function makeGroupCommit (store: MailStore, now: () => number): { deposit: (recipient: string, tokenHash: Uint8Array, envelope: Uint8Array) => Promise<{ id: number } | DepositRefusal> } {
  type Waiting = { recipient: string, tokenHash: Uint8Array, envelope: Uint8Array, done: (result: { id: number } | DepositRefusal) => void, failed: (err: unknown) => void }
  const queue: Waiting[] = []
  let scheduled = false
  const flush = (): void => {
    scheduled = false
    const batch = queue.splice(0, GROUP_COMMIT_MAX)
    if (queue.length > 0) schedule()
    try {
      const results = store.depositMany(batch, now())
      batch.forEach((w, i) => { w.done(results[i]!) })
    } catch (err) {
      for (const w of batch) w.failed(err)
    }
  }
  const schedule = (): void => {
    if (scheduled) return
    scheduled = true
    setImmediate(flush)
  }
  return {
    deposit: async (recipient, tokenHash, envelope) => await new Promise((resolve, reject) => {
      queue.push({ recipient, tokenHash, envelope, done: resolve, failed: reject })
      schedule()
    })
  }
}

/** The first envelopes that fit in `maxBytes`; at least one, since an envelope is never larger than a page. */
function firstBytes (envelopes: StoredEnvelopeRow[], maxBytes: number): StoredEnvelopeRow[] {
  let bytes = 0
  let count = 0
  for (const { envelope } of envelopes) {
    bytes += envelope.byteLength
    if (count > 0 && bytes > maxBytes) break
    count += 1
  }
  return envelopes.slice(0, count)
}

/** Tells a connected recipient that mail arrived: one notice in flight per recipient, and one more if mail came meanwhile. */
function makeNotices (node: Libp2p, counters: MailboxCounters): { tell: (recipient: string) => void } {
  const busy = new Map<string, boolean>()
  const send = async (recipient: string): Promise<void> => {
    const connection = node.getConnections(peerIdFromString(recipient)).find(c => c.status === 'open')
    if (connection == null) return
    let stream: Stream | undefined
    try {
      const signal = AbortSignal.timeout(STREAM_TIMEOUT_MS)
      stream = await connection.newStream(MAIL_NOTICE_PROTOCOL, { signal })
      await writeMailNotice(stream, { waitingEnvelopes: 1 }, { signal })
      counters.notices += 1
    } catch (err) {
      stream?.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }
  const tell = (recipient: string): void => {
    if (busy.has(recipient)) {
      busy.set(recipient, true)
      return
    }
    busy.set(recipient, false)
    void send(recipient).finally(() => {
      const again = busy.get(recipient) === true
      busy.delete(recipient)
      if (again) tell(recipient)
    })
  }
  return { tell }
}
