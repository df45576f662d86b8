/**
 * The mailbox: a message's way through it (sender online in Node, recipient
 * a browser that the relay notifies, the ack coming back the same way), what
 * sealing adds to each envelope, how many deposits one relay core takes, and
 * the relay's disk and memory with many envelopes stored.
 */
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import Database from 'better-sqlite3'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { parseContactCard } from '../../src/common/wire/contact-card.ts'
import { encodeFrameBody, newIncarnation, type Frame } from '../../src/common/wire/frames.ts'
import { decodeMailboxToken } from '../../src/common/wire/mailbox-token.ts'
import { callMailbox, MailboxRequest } from '../../src/common/wire/mailbox-protocol.ts'
import { mailKeys, sealMail } from '../../src/offscreen/mailbox/mail-seal.ts'
import { ExtensionProfile } from '../../e2e/support/extension-profile.ts'
import { MailPeer } from '../../e2e/support/mail-peer.ts'
import { cardOf, startMailRelay, waitForMailbox } from '../../e2e/support/mailbox.ts'
import { parseStat } from '../process-cpu.ts'
import { percentile } from '../stats.ts'

type Record = (key: string, name: string, unit: string, runs: number[]) => void

const MiB = 1024 * 1024
const MESSAGES = 100
const LOAD_SECONDS = 10
const LOAD_DEPOSITORS = 16

/** Runs every mailbox measurement, each against a relay of its own. */
export async function benchMailbox (record: Record): Promise<void> {
  await envelopeOverhead(record)
  await throughTheMailbox(record)
  await relayCapacity(record)
}

/** Bytes an envelope adds to what it carries: the two seals, the HELLO, each frame's fields. */
async function envelopeOverhead (record: Record): Promise<void> {
  const [a, b, r] = await Promise.all([0, 1, 2].map(async () => { const key = await generateKeyPair('Ed25519'); return { key, id: peerIdFromPrivateKey(key).toString() } }))
  const sender = await mailKeys(a!.key, a!.id)
  const hello: Frame = { type: 'hello', hello: { incarnation: newIncarnation(), peerIncarnation: newIncarnation(), nextExpectedSeq: 10, firstSeq: 0, maxMessageBytes: MiB, inactivityTimeoutMs: 120_000, addresses: [`/ip4/198.51.100.1/tcp/443/wss/p2p/${r!.id}/p2p-circuit/p2p/${a!.id}`], mailboxToken: 'AAECAwQFBgcICQoLDA0ODw' } }
  const sealed = async (count: number, bytes: number): Promise<number> => {
    const frames = [hello, ...Array.from({ length: count }, (_, i): Frame => ({ type: 'message', seq: i, id: crypto.randomUUID(), body: randomBytes(bytes), channel: 'peerlink', kind: 'text' }))]
    const envelope = await sealMail(sender, b!.id, r!.id, { id: randomBytes(16), sentAt: Date.now(), seenSentAt: Date.now(), frames: frames.map(f => encodeFrameBody(f) as Uint8Array<ArrayBuffer>) })
    return envelope.byteLength - count * bytes
  }
  record('mailbox.overhead.one', 'envelope overhead, one 100 B message (seals, HELLO, frame fields)', 'B', [await sealed(1, 100)])
  record('mailbox.overhead.burst', 'envelope overhead per message, a burst of 50 × 1 KiB', 'B', [(await sealed(50, 1024)) / 50])
}

/** A message from a peer in Node to a browser through the mailbox, and the browser's ack back the same way: send → delivered. */
async function throughTheMailbox (record: Record): Promise<void> {
  const { relay, dataDir } = await startMailRelay()
  const bob = await ExtensionProfile.launch({ name: 'bob' })
  const alice = await MailPeer.start(relay.address)
  try {
    await bob.useRelay(relay.address)
    await waitForMailbox(bob)
    const bobCard = await cardOf(bob)
    await bob.api({ method: 'addPeer', card: alice.card, name: 'Alice' })
    const times: number[] = []
    for (let seq = 0; seq < MESSAGES; seq++) {
      const started = performance.now()
      const outcome = await alice.send(bobCard, [`through the mailbox ${seq}`], seq, { peerIncarnation: acked(alice)?.incarnation ?? null, nextExpectedSeq: 0 })
      if (outcome.stored.length === 0) throw new Error(`deposit ${seq} refused: ${JSON.stringify(outcome.refusals)}`)
      // Delivered: Bob's own HELLO, in our mailbox, says he has it.
      while ((acked(alice)?.nextExpectedSeq ?? 0) <= seq) await new Promise(resolve => setTimeout(resolve, 2))
      times.push(performance.now() - started)
    }
    record('mailbox.delivered.p50', `send → delivered through the mailbox, recipient online and notified, p50 (${MESSAGES} sequential)`, 'ms', [percentile(times, 0.5)])
    record('mailbox.delivered.p99', `send → delivered through the mailbox, p99 (${MESSAGES} sequential)`, 'ms', [percentile(times, 0.99)])
  } finally {
    await alice.stop()
    await bob.close()
    await relay.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Bob's newest word to the peer: the HELLO of the last envelope it received. */
function acked (peer: MailPeer): { incarnation: string, nextExpectedSeq: number } | undefined {
  const hellos = peer.received.map(m => m.hello).filter(h => h.peerIncarnation === peer.incarnation)
  const newest = hellos.reduce<typeof hellos[number] | undefined>((best, h) => best == null || h.nextExpectedSeq > best.nextExpectedSeq ? h : best, undefined)
  return newest == null ? undefined : { incarnation: newest.incarnation, nextExpectedSeq: newest.nextExpectedSeq }
}

/** Deposits one relay core takes, and the relay's disk and memory at 10,000 and 100,000 stored envelopes of 1 KiB. */
async function relayCapacity (record: Record): Promise<void> {
  const { relay, dataDir } = await startMailRelay({
    args: ['--mailbox-envelopes', '1000000', '--mailbox-bytes', String(2048 * MiB), '--mailbox-total-bytes', String(4096 * MiB), '--mailbox-deposits-per-second', '1000000']
  })
  // The owner registers its mailbox and then stays away: what is deposited stays stored.
  const owner = await MailPeer.start(relay.address)
  owner.courier.stop()
  // One after another: libp2p's connection manager takes only a few new connections a second from one address.
  const depositors: MailPeer[] = []
  for (let i = 0; i < LOAD_DEPOSITORS; i++) depositors.push(await startPatiently(relay.address))
  try {
    const card = parseContactCard(owner.card)
    const token = decodeMailboxToken(card.mailboxToken!) as Uint8Array<ArrayBuffer>
    const envelope = randomBytes(1024) as Uint8Array<ArrayBuffer>
    let deposits = 0
    const depositUntil = async (done: () => boolean): Promise<void> => {
      await Promise.all(depositors.map(async (d) => {
        while (!done()) {
          await callMailbox(d.node, multiaddr(relay.address), 'relay', { type: MailboxRequest.Type.DEPOSIT, recipient: card.peerId, token, envelope }, MiB)
          deposits++
        }
      }))
    }
    const cpuBefore = relayCpuSeconds(relay.pid!)
    const started = performance.now()
    await depositUntil(() => performance.now() - started > LOAD_SECONDS * 1000)
    const seconds = (performance.now() - started) / 1000
    const cpu = relayCpuSeconds(relay.pid!) - cpuBefore
    record('mailbox.deposits.rate', `deposits per second, ${LOAD_DEPOSITORS} depositors at once, 1 KiB envelopes (each on disk before its answer)`, 'deposits/s', [deposits / seconds])
    record('mailbox.deposits.perCore', 'deposits per second of relay CPU (one core)', 'deposits/s', [deposits / cpu])
    for (const target of [10_000, 100_000]) {
      await depositUntil(() => deposits >= target)
      const stored = storedEnvelopes(dataDir)
      if (stored < target) throw new Error(`the relay holds ${stored} envelopes, not ${target}`)
      record(`mailbox.store.${target}.disk`, `relay's data directory with ${target.toLocaleString('en')} envelopes of 1 KiB stored`, 'MiB', [directoryBytes(dataDir) / MiB])
      record(`mailbox.store.${target}.rss`, `relay's resident memory with ${target.toLocaleString('en')} envelopes stored`, 'MiB', [relayRssBytes(relay.pid!) / MiB])
    }
  } finally {
    await Promise.all([owner, ...depositors].map(async p => { await p.stop() }))
    await relay.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** A mail peer, tried again while the relay turns away a burst of connections from this address. */
async function startPatiently (relay: string): Promise<MailPeer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await MailPeer.start(relay)
    } catch (err) {
      if (attempt >= 10) throw err
      await new Promise(resolve => setTimeout(resolve, 500))
    }
  }
}

function relayCpuSeconds (pid: number): number {
  return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).ticks / 100
}

function relayRssBytes (pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find(l => l.startsWith('VmRSS:'))
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) * 1024
}

/** Envelopes in the relay's database, read beside the running relay (SQLite's WAL lets a reader in). */
function storedEnvelopes (dataDir: string): number {
  const db = new Database(join(dataDir, 'mailbox.sqlite'), { readonly: true })
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM envelopes').get() as { n: number }).n
  } finally {
    db.close()
  }
}

function directoryBytes (dir: string): number {
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0)
}
