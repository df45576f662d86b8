import { streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { IceOffer, MAX_ICE_SERVERS, readIceOffer, writeIceOffer } from './ice-protocol.ts'

describe('/peerlink/ice/1.0.0 framing', () => {
  it('carries one offer from the relay\'s end to the asking end', async () => {
    const [asking, relay] = await streamPair()
    const offer: IceOffer = { status: IceOffer.Status.OK, servers: [{ urls: ['stun:198.18.0.1:3478'] }, { urls: ['turn:198.18.0.1:3479'], username: '1:p', credential: 'c' }], ttlSeconds: 60, turnAfterSeconds: 0 }
    const [read] = await Promise.all([readIceOffer(asking), writeIceOffer(relay, offer)])
    expect(read).toEqual(offer)
  })

  it('rejects a refusal as IceOfferRefusedError', async () => {
    const [asking, relay] = await streamPair()
    await Promise.all([
      expect(readIceOffer(asking)).rejects.toMatchObject({ name: 'IceOfferRefusedError', data: { status: IceOffer.Status.NO_RESERVATION } }),
      writeIceOffer(relay, { status: IceOffer.Status.NO_RESERVATION, servers: [], ttlSeconds: 0, turnAfterSeconds: 0 })
    ])
  })

  it('does not believe a relay that offers more servers than any real one would', async () => {
    const [asking, relay] = await streamPair()
    const servers = Array.from({ length: MAX_ICE_SERVERS + 1 }, (_, i) => ({ urls: [`stun:198.18.0.1:${3000 + i}`] }))
    await Promise.all([
      expect(readIceOffer(asking)).rejects.toMatchObject({ name: 'MaxLengthError' }),
      writeIceOffer(relay, { status: IceOffer.Status.OK, servers, ttlSeconds: 60, turnAfterSeconds: 0 }).catch(() => {})
    ])
  })
})
