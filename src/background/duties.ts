import { HEARTBEAT_BUSY_PERIOD_MS, STALE_SWEEP_INTERVAL_MS, WAKE_LATE_MS } from '../common/constants.ts'
import { WakeDetector } from '../common/timing/wake-detector.ts'
import { recentPeers, stalePeers } from './peers/index.ts'
import type { Parts } from './parts.ts'
import type { WorkerContext } from './worker-context.ts'

const LAST_TICK_KEY = 'wake.lastTick'
const LAST_PERIOD_KEY = 'wake.lastPeriodMs'
const LAST_SWEEP_KEY = 'stale.lastSweep'
const NODE_STARTED_KEY = 'node.startedAt'

/**
 * Periodic duties, on the heartbeat alarm: notice a wake across worker
 * restarts (the last tick is persisted), expire old messages, retry what
 * is pending, and now and then forget stale peers' connection state.
 */
export async function heartbeat (w: WorkerContext, periodMs: number): Promise<void> {
  const { storage, parts } = w
  // The period changes with the work: a tick is late only against the longer of the two.
  const lastPeriodMs = await storage.get<number>(LAST_PERIOD_KEY) ?? HEARTBEAT_BUSY_PERIOD_MS
  const detector = new WakeDetector(Math.max(periodMs, lastPeriodMs), WAKE_LATE_MS, await storage.get<number>(LAST_TICK_KEY))
  const wokeUp = detector.tick(Date.now())
  await storage.set(LAST_TICK_KEY, detector.last)
  await storage.set(LAST_PERIOD_KEY, periodMs)
  if (wokeUp) await woke(w)
  await parts.outbox.expire()
  await expireWaiting(w)
  await parts.outbox.flushAll()
  await sweepStalePeers(w)
}

/**
 * Messages from peers on the channel of a client the user has not allowed
 * wait for it as long as a message may wait to be sent (the time to live),
 * then go. Outgoing messages are never removed here: those a client queued
 * before the user revoked it fail (`client-revoked`), which the revocation
 * does at once and this pass repeats for a worker that stopped in between.
 */
export async function expireWaiting ({ parts }: WorkerContext): Promise<void> {
  const { clients, contacts, store, settings } = parts
  await failRevokedClients(parts, channel => !clients.allowed(channel))
  if (!clients.list().some(c => c.state === 'requested' && c.waiting > 0)) return
  const before = Date.now() - settings.current.limits.messageTtlMs
  const held = new Map<string, number>()
  for (const { peerId } of await contacts.list()) {
    for (const [channel, count] of await store.history.expireChannels(peerId, channel => !clients.allowed(channel), before)) {
      held.set(channel, (held.get(channel) ?? 0) + count)
    }
  }
  await clients.setWaiting(held)
}

/** Fails every pending message on the client channels `revoked` selects, to every peer. */
export async function failRevokedClients ({ outbox }: Parts, revoked: (channel: string) => boolean): Promise<number> {
  return await outbox.failChannels(revoked, 'client-revoked', client => `the user revoked ${client}`)
}

/** The machine woke: every backoff starts over; relays and waiting peers are dialed at once. */
export async function woke ({ parts, node, log }: WorkerContext): Promise<void> {
  log('woke up: reconnecting at once')
  await parts.reconnector.wokeAll()
  await node.call('woke').catch(() => {})
}

/**
 * After the node started anew (not after a mere worker restart, which
 * keeps the node), dials the contacts seen recently: their side still
 * holds the old connection, or backs off, until it hears from us.
 */
export async function resumeRecentPeers ({ storage, parts, node }: WorkerContext): Promise<void> {
  const startedAt = node.info?.startedAt
  if (startedAt == null || await storage.get<number>(NODE_STARTED_KEY) === startedAt) return
  await storage.set(NODE_STARTED_KEY, startedAt)
  const { contacts, reconnector, settings } = parts
  for (const peerId of recentPeers(await contacts.list(), Date.now(), settings.current.limits.stalePeerMs)) {
    const { closedBy, gaveUp } = reconnector.view(peerId)
    if (closedBy == null && !gaveUp && node.info?.peers[peerId]?.state !== 'connected') reconnector.want(peerId)
  }
}

/** Every 15 min: peers gone for over an hour lose their in-memory connection state (messages stay). */
async function sweepStalePeers ({ storage, parts, node, log }: WorkerContext): Promise<void> {
  const now = Date.now()
  if (now - (await storage.get<number>(LAST_SWEEP_KEY) ?? 0) < STALE_SWEEP_INTERVAL_MS) return
  await storage.set(LAST_SWEEP_KEY, now)
  const info = await node.refreshInfo()
  const stale = stalePeers(await parts.contacts.list(), now, parts.settings.current.limits.stalePeerMs, id => info?.peers[id]?.state === 'connected')
  if (stale.length === 0) return
  log('forgetting the connection state of %d stale peers', stale.length)
  for (const peerId of stale) parts.outbox.forget(peerId)
  // The offscreen document checks each again just before dropping it.
  await node.call('forgetPeers', stale)
}
