import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { IceOffer } from '../../src/common/wire/ice-protocol.ts'
import { buildIceOffer } from './ice-offers.ts'
import { issueTurnCredential } from './turn-credentials.ts'

describe('the ICE offer a relay builds', () => {
  const config = { stun: { host: '198.18.0.1', port: 3478 }, turn: { urls: ['turn:198.18.0.1:3479?transport=udp'], secret: 'k' }, ttlSeconds: 60 }

  it('lists its STUN responder first, then TURN with the credential granted, valid as long as it is', () => {
    const credential = issueTurnCredential({ secret: 'k', ttlSeconds: 60, label: 'peer', now: 1_000_000 })
    expect(buildIceOffer(config, { kind: 'credential', credential }, 1_030_000)).toEqual({
      status: IceOffer.Status.OK,
      servers: [
        { urls: ['stun:198.18.0.1:3478'] },
        { urls: ['turn:198.18.0.1:3479?transport=udp'], username: '1060:peer', credential: createHmac('sha1', 'k').update('1060:peer').digest('base64') }
      ],
      ttlSeconds: 30,
      turnAfterSeconds: 0
    })
  })

  it('offers STUN alone, and when to ask again, while TURN is withheld', () => {
    expect(buildIceOffer(config, { kind: 'withheld', reason: 'too-new', retryAfterSeconds: 4 }, 0)).toEqual({
      status: IceOffer.Status.OK, servers: [{ urls: ['stun:198.18.0.1:3478'] }], ttlSeconds: 60, turnAfterSeconds: 4
    })
  })

  it('brackets an IPv6 STUN host, and offers nothing when it runs neither STUN nor TURN', () => {
    expect(buildIceOffer({ stun: { host: '::1', port: 3478 }, ttlSeconds: 60 }, undefined, 0).servers).toEqual([{ urls: ['stun:[::1]:3478'] }])
    expect(buildIceOffer({ ttlSeconds: 60 }, undefined, 0)).toEqual({ status: IceOffer.Status.OK, servers: [], ttlSeconds: 60, turnAfterSeconds: 0 })
  })
})
