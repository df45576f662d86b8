import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../common/errors/index.ts'
import { relayPeerId } from './relay-keeper.ts'

const RELAY_ID = '12D3KooWGRUVh7ynXfbHrXhS4oJDkvbqvtW2rDVbJFwgmVNC6oE3'

describe('relayPeerId', () => {
  it('reads the peer id from the last /p2p/ of a relay address', () => {
    expect(relayPeerId(`/ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY_ID}`)).toBe(RELAY_ID)
    expect(relayPeerId(`/dns4/relay.example.com/tcp/443/wss/p2p/${RELAY_ID}`)).toBe(RELAY_ID)
  })

  it('refuses an address without one', () => {
    expect(() => relayPeerId('/ip4/127.0.0.1/tcp/9090/ws')).toThrow(ValidationError)
  })
})
