import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readAllowedPeers } from './allowed-peers.ts'
import { parseRelayFlags } from './flags.ts'
import { runRelay, type RunningRelay } from './run.ts'
import { startClient, waitFor } from './test-clients.ts'

const FRIEND = '12D3KooWGRUVh2mb1bLVWVFVXhMNy8PSezuUrYAjBxZbvvh3dkC8'

describe('a private relay (--allow-peers)', () => {
  let dir: string
  let relay: RunningRelay | undefined
  const clients: Libp2p[] = []
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'peerlink-allow-')) })
  afterEach(async () => {
    await Promise.all(clients.splice(0).map(async c => { await c.stop() }))
    await relay?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('reads one peer id a line, with comments and blank lines; a bad line or a missing file is named', async () => {
    const file = join(dir, 'allowed')
    writeFileSync(file, `# the club\n${FRIEND}  # Alice\n\n  \n`)
    expect([...await readAllowedPeers(file)]).toEqual([FRIEND])
    writeFileSync(file, `${FRIEND}\nnot-a-peer\n`)
    await expect(readAllowedPeers(file)).rejects.toThrow(`${file}:2: "not-a-peer" is not a peer id`)
    await expect(readAllowedPeers(join(dir, 'missing'))).rejects.toMatchObject({ name: 'AllowListError', message: expect.stringContaining('cannot read the allow-list') })
  })

  it('serves the peers it lists and refuses everyone else at the handshake, counted and logged', async () => {
    const [guest, stranger] = await Promise.all([startClient(true), startClient(true)])
    clients.push(guest, stranger)
    const file = join(dir, 'allowed')
    writeFileSync(file, `${guest.peerId.toString()}\n`)
    const config = parseRelayFlags(['--port', '0', '--key-file', '', '--allow-peers', file])
    if (config === 'help') throw new Error('unexpected help')
    const log: string[] = []
    relay = await runRelay(config, line => log.push(line))
    expect(relay.describe()).toContain(`private: serves only the 1 peers in ${file}`)
    const address = multiaddr(relay.node.getMultiaddrs()[0]!.toString())
    await guest.dial(address)
    await waitFor(() => relay!.node.services.relay.reservations.has(guest.peerId), 'the guest\'s reservation')
    // The stranger's handshake may finish on its side before the relay, knowing who it is, closes the connection.
    await stranger.dial(address).catch(() => {})
    await waitFor(() => relay!.refusals.counts().get('not-allowed') === 1, 'the stranger refused')
    await waitFor(() => stranger.getConnections(relay!.node.peerId).length === 0, 'the stranger\'s connection closed')
    expect(relay.node.services.relay.reservations.has(stranger.peerId)).toBe(false)
    expect(relay.node.getConnections(stranger.peerId)).toHaveLength(0)
    expect(log).toEqual([`relay: refused not-allowed: ${stranger.peerId.toString()}`])
  }, 30_000)
})
