import './polyfills.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callMailbox, MAIL_NOTICE_PROTOCOL, MailboxRequest, readMailNotice } from '../src/common/wire/mailbox-protocol.ts'
import { parseRelayFlags } from './flags.ts'
import { runRelay, type RunningRelay } from './run.ts'
import { tokenHash } from './mailbox/index.ts'
import { startClient, waitFor } from './test-clients.ts'

const MAX_RESPONSE = 8 * 1024 * 1024

async function startRelay (args: string[]): Promise<RunningRelay> {
  const config = parseRelayFlags(['--port', '0', '--key-file', '', ...args])
  if (config === 'help') throw new Error('unexpected help')
  return await runRelay(config)
}

describe('/peerlink/mailbox/1.0.0 on a relay with a data directory', () => {
  let relay: RunningRelay
  let address: Multiaddr
  let dir: string
  let bob: Libp2p
  let alice: Libp2p
  const token = Uint8Array.from({ length: 16 }, (_, i) => i + 1)
  const call = async (node: Libp2p, request: Partial<MailboxRequest> & Pick<MailboxRequest, 'type'>): ReturnType<typeof callMailbox> =>
    await callMailbox(node, address, 'the relay', request, MAX_RESPONSE)

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mailbox-service-'))
    relay = await startRelay(['--data-dir', dir, '--mailbox-deposits-per-second', '5', '--mailbox-envelopes', '100'])
    address = relay.node.getMultiaddrs()[0]!
    ;[alice, bob] = await Promise.all([startClient(false), startClient(true)])
    await bob.dial(address)
    await waitFor(() => bob.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit')), 'Bob\'s reservation')
  }, 30_000)

  afterAll(async () => {
    await Promise.all([alice?.stop(), bob?.stop()])
    await relay?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('gives a mailbox only to a peer holding a reservation', async () => {
    await expect(call(alice, { type: MailboxRequest.Type.REGISTER, tokenHashes: [tokenHash(token)] })).rejects.toMatchObject({ name: 'MailboxRefusedError', data: { reason: 'not-allowed' } })
    const registered = await call(bob, { type: MailboxRequest.Type.REGISTER, tokenHashes: [tokenHash(token)] })
    expect(registered).toMatchObject({ waitingEnvelopes: 0, maxEnvelopeBytes: 2 * 1024 * 1024 })
  })

  it('takes a deposit with the token the recipient registered, tells the recipient at once, and hands the envelope to it alone', async () => {
    const notices: number[] = []
    await bob.handle(MAIL_NOTICE_PROTOCOL, async (stream) => { notices.push((await readMailNotice(stream)).waitingEnvelopes) })
    await expect(call(alice, { type: MailboxRequest.Type.DEPOSIT, recipient: bob.peerId.toString(), token: new Uint8Array(16), envelope: Uint8Array.of(1) }))
      .rejects.toMatchObject({ data: { reason: 'not-allowed' } })
    const deposited = await call(alice, { type: MailboxRequest.Type.DEPOSIT, recipient: bob.peerId.toString(), token, envelope: Uint8Array.of(1, 2, 3) })
    expect(deposited.id).toBeGreaterThan(0)
    await waitFor(() => notices.length > 0, 'a notice to Bob')
    // Alice fetches her own mailbox (none), never Bob's.
    expect((await call(alice, { type: MailboxRequest.Type.FETCH })).envelopes).toEqual([])
    const fetched = await call(bob, { type: MailboxRequest.Type.FETCH })
    expect(fetched.envelopes.map(e => [e.id, [...e.envelope]])).toEqual([[deposited.id, [1, 2, 3]]])
    // Alice cannot delete Bob's mail; Bob can.
    await call(alice, { type: MailboxRequest.Type.DELETE, ids: [deposited.id] })
    expect((await call(bob, { type: MailboxRequest.Type.FETCH })).envelopes).toHaveLength(1)
    expect(await call(bob, { type: MailboxRequest.Type.DELETE, ids: [deposited.id] })).toMatchObject({ waitingEnvelopes: 0, waitingBytes: 0 })
    expect(relay.mailbox?.counters).toMatchObject({ deposits: 1, deleted: 1 })
  })

  it('refuses a deposit for someone with no mailbox here', async () => {
    await expect(call(alice, { type: MailboxRequest.Type.DEPOSIT, recipient: alice.peerId.toString(), token, envelope: Uint8Array.of(1) }))
      .rejects.toMatchObject({ data: { reason: 'no-mailbox' } })
  })
  it('refuses a depositor over its rate, and takes another depositor\'s mail meanwhile', async () => {
    const carol = await startClient(false)
    try {
      const deposit = async (node: Libp2p): Promise<unknown> => await call(node, { type: MailboxRequest.Type.DEPOSIT, recipient: bob.peerId.toString(), token, envelope: Uint8Array.of(9) }).catch((err: Error) => err)
      const results = await Promise.all(Array.from({ length: 12 }, async () => await deposit(alice)))
      const refused = results.filter(r => r instanceof Error)
      expect(refused.length).toBeGreaterThan(0)
      expect(refused[0]).toMatchObject({ name: 'MailboxRefusedError', data: { reason: 'rate-limited', limit: 5 } })
      expect(await deposit(carol)).toMatchObject({ id: expect.any(Number) })
    } finally {
      await carol.stop()
    }
  })

})

describe('a relay without a data directory', () => {
  it('has no mailbox, and says so to a browser that asks', async () => {
    const relay = await startRelay([])
    const client = await startClient(false)
    try {
      expect(relay.describe()).toContain('mailbox: none (start with --data-dir to keep mail for users)')
      await expect(callMailbox(client, relay.node.getMultiaddrs()[0]!, 'the relay', { type: MailboxRequest.Type.FETCH }, MAX_RESPONSE))
        .rejects.toMatchObject({ name: 'MailboxRefusedError', data: { reason: 'no-mailbox-service' } })
    } finally {
      await client.stop()
      await relay.stop()
    }
  }, 30_000)
})
