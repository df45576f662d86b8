import { OWN_CHANNEL } from '../../common/client-id.ts'
import { ValidationError } from '../../common/errors/index.ts'
import { PRUNE_EVERY_MESSAGES } from '../../common/constants.ts'
import { BurstEdits, findMessage } from './burst-store.ts'
import { channelRange, conversationRange, WRITE, type BurstRecord, type MessageDB, type StoredMessage } from './message-db.ts'

/** Burst records read per request while pruning or listing. */
const PAGE_BURSTS = 16

/** New messages between prunes: `PRUNE_EVERY_MESSAGES`, or half the limit when that is smaller, so a small history stays near its limit. */
function pruneEvery (keep: number): number {
  return Math.max(1, Math.min(PRUNE_EVERY_MESSAGES, Math.ceil(keep / 2)))
}

/** Stored messages, with the ack point of their peer's conversation read in the same transaction. */
export interface StoredWithAck<T> {
  found: T
  ackedOutSeq: number
}

/** The conversations as pages read them, and the bound on how much of them is kept. */
export class MessageHistory {
  readonly #db: MessageDB
  /** Messages added per conversation since it was last pruned. */
  readonly #added = new Map<string, number>()
  readonly #pruning = new Set<string>()
  /**
   * Per conversation, the `byPeerAt` key of the last burst a prune removed
   * with nothing kept before it: the next prune starts after it. Removed
   * records stay behind in the database as tombstones until it compacts,
   * and a prune that started from the oldest key walked over all of them
   * again: it cost 2.6 times as much CPU in the bench.
   */
  readonly #prunedTo = new Map<string, [string, number, string, number]>()

  constructor (db: MessageDB) {
    this.#db = db
  }

  /**
   * Notes `added` new messages in a conversation, and prunes it to `keep`
   * once enough have come since the last time (`PRUNE_EVERY_MESSAGES`), in
   * the background: a conversation may run over its limit by that much for
   * a moment, and no ack waits for a prune.
   */
  grew (peerId: string, added: number, keep: number, log: (format: string, ...args: unknown[]) => void): void {
    const count = (this.#added.get(peerId) ?? 0) + added
    if (count < pruneEvery(keep) || this.#pruning.has(peerId)) {
      this.#added.set(peerId, count)
      return
    }
    this.#added.delete(peerId)
    this.#pruning.add(peerId)
    void this.prune(peerId, keep)
      .catch((err: unknown) => { log('could not prune the conversation with %s: %o', peerId, err) })
      .finally(() => {
        this.#pruning.delete(peerId)
        // Enough came while this ran: prune again now rather than at the next message.
        if ((this.#added.get(peerId) ?? 0) >= pruneEvery(keep)) this.grew(peerId, 0, keep, log)
      })
  }

  /** A message by its channel and id (ids are each channel's own). */
  async get (channel: string, id: string): Promise<StoredWithAck<StoredMessage> | undefined> {
    const tx = this.#db.transaction(['bursts', 'ledgers'])
    const message = (await findMessage(tx.objectStore('bursts'), [channel, id]))?.message
    if (message == null) return undefined
    return { found: message, ackedOutSeq: (await tx.objectStore('ledgers').get(message.peerId))?.ackedOutSeq ?? -1 }
  }

  /**
   * The newest `limit` messages of a conversation, oldest first, and at most
   * `maxBytes` of text (but always one message). With `before` (a message's
   * id, in `channel`, or Peerlink's own when none is named), the ones just
   * older than that message: the next page back. With `channel`, that
   * channel's messages only.
   */
  async list (peerId: string, limit: number, { before, maxBytes = Infinity, channel }: { before?: string, maxBytes?: number, channel?: string } = {}): Promise<StoredWithAck<StoredMessage[]>> {
    const tx = this.#db.transaction(['bursts', 'ledgers'])
    const bursts = tx.objectStore('bursts')
    const ledger = await tx.objectStore('ledgers').get(peerId)
    const from = before == null ? undefined : await findMessage(bursts, [channel ?? OWN_CHANNEL, before])
    if (before != null && (from?.message.peerId !== peerId || (channel != null && from.message.channel !== channel))) throw new ValidationError('before', `no message ${before} in this conversation`)
    const wanted = (m: StoredMessage): boolean => channel == null || m.channel === channel
    const out: StoredMessage[] = []
    let bytes = 0
    /** Takes messages newest first; false once the page is full. */
    const take = (messages: StoredMessage[]): boolean => {
      for (let i = messages.length - 1; i >= 0; i--) {
        const message = messages[i]!
        if (!wanted(message)) continue
        if (out.length >= limit || (out.length > 0 && bytes + message.bytes > maxBytes)) return false
        out.push(message)
        bytes += message.bytes
      }
      return true
    }
    // Within `before`'s own burst, the messages before it; then the bursts before that one.
    if (from != null && !take(from.burst.messages.filter(m => m.seq < from.message.seq))) return { found: out.reverse(), ackedOutSeq: ledger?.ackedOutSeq ?? -1 }
    const conversation = channel == null ? [peerId] : [peerId, channel]
    const range = from == null
      ? (channel == null ? conversationRange(peerId) : channelRange(peerId, channel))
      : IDBKeyRange.bound([...conversation, -Infinity], [...conversation, from.burst.at, from.burst.direction, from.burst.order], false, true)
    let cursor = await (channel == null ? bursts.index('byPeerAt') : bursts.index('byPeerChannelAt')).openCursor(range, 'prev')
    while (cursor != null && take(cursor.value.messages)) cursor = await cursor.continue()
    return { found: out.reverse(), ackedOutSeq: ledger?.ackedOutSeq ?? -1 }
  }

  /**
   * Keeps at most `keep` messages of a conversation, removing the oldest
   * first. Messages after the peer's ack point (pending, or failed and still
   * counted in the ledger) are never removed. Answers how many went.
   */
  async prune (peerId: string, keep: number): Promise<number> {
    const tx = this.#db.transaction(['bursts', 'ledgers'], 'readwrite', WRITE)
    const bursts = tx.objectStore('bursts')
    const index = bursts.index('byPeerAt')
    const ledger = await tx.objectStore('ledgers').get(peerId)
    // Counted once; from then on the ledger keeps the count as messages come and go.
    const stored = ledger?.storedCount ?? await countMessages(index, conversationRange(peerId))
    let excess = stored - keep
    let removed = 0
    const ackedOutSeq = ledger?.ackedOutSeq ?? -1
    const after = this.#prunedTo.get(peerId)
    const end = [peerId, Infinity, [], []]
    let range = after == null ? conversationRange(peerId) : IDBKeyRange.bound(after, end, true, false)
    let keptOne = false
    const edits = new BurstEdits(bursts)
    const kept = (m: StoredMessage): boolean => m.direction === 'out' && m.seq > ackedOutSeq
    // Oldest first, a page of records per request, and the writes asked for together.
    while (excess > 0) {
      const page = await index.getAll(range, PAGE_BURSTS)
      for (const burst of page) {
        if (excess <= 0) break
        const going = new Set<StoredMessage>()
        for (const message of burst.messages) {
          if (excess <= 0) break
          if (kept(message)) continue
          going.add(message)
          excess -= 1
        }
        if (going.size > 0) edits.remove(burst, m => going.has(m))
        removed += going.size
        if (going.size < burst.messages.length) keptOne = true
        else if (!keptOne) this.#prunedTo.set(peerId, [peerId, burst.at, burst.direction, burst.order])
      }
      const last = page.at(-1)
      if (last == null || page.length < PAGE_BURSTS) break
      range = IDBKeyRange.bound([peerId, last.at, last.direction, last.order], end, true, false)
    }
    edits.write()
    if (ledger != null && (ledger.storedCount !== stored - removed)) await tx.objectStore('ledgers').put({ ...ledger, storedCount: stored - removed })
    await tx.done
    return removed
  }

  /**
   * Removes the peer's incoming messages older than `before` on the client
   * channels `expires` selects (those of clients the user has not allowed:
   * they wait only so long). Outgoing messages stay: a revoked client's
   * pending ones are failed, never removed here, and its sent ones are
   * history. Answers how many incoming messages each such channel still
   * holds. Client ids sort before Peerlink's own channel, and the walk jumps
   * over each channel it keeps, so it costs one step per allowed channel and
   * per message of the others.
   */
  async expireChannels (peerId: string, expires: (channel: string) => boolean, before: number): Promise<Map<string, number>> {
    const tx = this.#db.transaction(['bursts', 'ledgers'], 'readwrite', WRITE)
    const bursts = tx.objectStore('bursts')
    const index = bursts.index('byPeerChannelAt')
    const held = new Map<string, number>()
    const edits = new BurstEdits(bursts)
    let removed = 0
    let cursor = await index.openCursor(IDBKeyRange.bound([peerId, ''], [peerId, OWN_CHANNEL], false, true))
    while (cursor != null) {
      const channel = cursor.key[1]
      if (!expires(channel)) {
        cursor = await cursor.continue([peerId, channel, Infinity, '', 0])
        continue
      }
      const burst = cursor.value
      const count = burst.messages.filter(m => m.channel === channel).length
      if (burst.direction === 'in' && burst.at < before) {
        edits.remove(burst, m => m.channel === channel)
        removed += count
      } else if (burst.direction === 'in') {
        held.set(channel, (held.get(channel) ?? 0) + count)
      } else {
        held.set(channel, held.get(channel) ?? 0)
      }
      cursor = await cursor.continue()
    }
    edits.write()
    const ledger = removed > 0 ? await tx.objectStore('ledgers').get(peerId) : undefined
    if (ledger?.storedCount != null) await tx.objectStore('ledgers').put({ ...ledger, storedCount: ledger.storedCount - removed })
    await tx.done
    return held
  }

  /** The newest message of a conversation on one channel, if any. */
  async newest (peerId: string, channel: string): Promise<StoredMessage | undefined> {
    const cursor = await this.#db.transaction('bursts').store.index('byPeerChannelAt').openCursor(channelRange(peerId, channel), 'prev')
    return cursor?.value.messages.findLast(m => m.channel === channel)
  }

  /**
   * Whether any message with the peer is stored, either way. Counted from
   * the messages, not the ledger: a peer's HELLO alone moves the ledger's
   * sequence numbers (its first number may be anything).
   */
  async hasConversation (peerId: string): Promise<boolean> {
    return (await this.#db.transaction('bursts').store.index('byPeerAt').openKeyCursor(conversationRange(peerId))) != null
  }
}

/** The messages in the bursts of `range` (a conversation counted once, before the ledger keeps the count). */
async function countMessages (index: { iterate: (range: IDBKeyRange) => AsyncIterable<{ value: BurstRecord }> }, range: IDBKeyRange): Promise<number> {
  let count = 0
  for await (const cursor of index.iterate(range)) count += cursor.value.messages.length
  return count
}
