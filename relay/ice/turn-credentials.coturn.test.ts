import type { Socket } from 'node:dgram'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { hasCoturn, startCoturn, type Coturn } from '../../e2e/support/network/coturn.ts'
import { prerequisite } from '../../e2e/support/prerequisite.ts'
import { openUdpSocket, turnAllocate } from '../../e2e/support/network/stun-client.ts'
import { issueTurnCredential } from './turn-credentials.ts'

const SECRET = 'coturn-test-secret'

/** A UDP port free right now on 127.0.0.1. */
async function freeUdpPort (): Promise<number> {
  const socket = await openUdpSocket(0, '127.0.0.1')
  const { port } = socket.address()
  socket.close()
  return port
}

// CI installs coturn (.ci/run) and fails here without it; elsewhere the tests are skipped, saying why.
const needs = prerequisite('relay/ice/turn-credentials.coturn.test.ts', hasCoturn() ? { ok: true } : { ok: false, reason: 'no `turnserver` (Debian: apt-get install -y coturn)' })

describe.skipIf(needs.skip)('TURN credentials against a real coturn on 127.0.0.1 (use-auth-secret)', () => {
  let coturn: Coturn
  let socket: Socket
  let port: number

  beforeAll(async () => {
    if (needs.reason !== '') return
    port = await freeUdpPort()
    coturn = await startCoturn({ ip: '127.0.0.1', port, secret: SECRET })
  }, 20_000)

  afterAll(async () => { await coturn?.stop() }, 10_000)

  beforeEach(async () => {
    needs.assert()
    socket = await openUdpSocket(0, '127.0.0.1')
  })
  afterEach(() => { socket?.close() })

  it('accepts a fresh credential: the Allocate succeeds and relays from 127.0.0.1', async () => {
    const { username, credential } = issueTurnCredential({ secret: SECRET, ttlSeconds: 600, label: 'alice', now: Date.now() })
    const allocation = await turnAllocate(socket, { host: '127.0.0.1', port }, username, credential)
    expect(allocation.relayed.address).toBe('127.0.0.1')
    expect(allocation.mapped).toEqual({ family: 'IPv4', address: '127.0.0.1', port: socket.address().port })
    await allocation.release()
  })

  it('refuses a credential signed with another secret (401)', async () => {
    const { username, credential } = issueTurnCredential({ secret: 'not-the-secret', ttlSeconds: 600, label: 'mallory', now: Date.now() })
    await expect(turnAllocate(socket, { host: '127.0.0.1', port }, username, credential)).rejects.toMatchObject({ name: 'TurnAllocateError', code: 401 })
  })

  it('refuses an expired credential (401)', async () => {
    const { username, credential } = issueTurnCredential({ secret: SECRET, ttlSeconds: 60, label: 'late', now: Date.now() - 3_600_000 })
    await expect(turnAllocate(socket, { host: '127.0.0.1', port }, username, credential)).rejects.toMatchObject({ name: 'TurnAllocateError', code: 401 })
  })
})
