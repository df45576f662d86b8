import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'
import { networkInterfaces } from 'node:os'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeXorAddress, encodeXorAddress, parseStunMessage } from './stun-message.ts'
import { bindingResponse, startStunServer, type StunServer } from './stun-server.ts'

// Requests are built byte by byte here, not with the module's own encoder, so a shared mistake cannot hide.
function bindingRequest (transactionId: Buffer, { cookie = 0x2112a442, type = 0x0001 } = {}): Buffer {
  const bytes = Buffer.alloc(20)
  bytes.writeUInt16BE(type, 0)
  bytes.writeUInt16BE(0, 2)
  bytes.writeUInt32BE(cookie, 4)
  transactionId.copy(bytes, 8)
  return bytes
}

/** Reads XOR-MAPPED-ADDRESS (IPv4) out of a response by hand. */
function xorMappedIPv4 (response: Buffer): { address: string, port: number } {
  let offset = 20
  while (offset < response.length) {
    const type = response.readUInt16BE(offset)
    const length = response.readUInt16BE(offset + 2)
    if (type === 0x0020) {
      expect(response.readUInt8(offset + 5)).toBe(0x01)
      const port = response.readUInt16BE(offset + 6) ^ 0x2112
      const cookie = [0x21, 0x12, 0xa4, 0x42]
      const address = [0, 1, 2, 3].map(i => response[offset + 8 + i]! ^ cookie[i]!).join('.')
      return { address, port }
    }
    offset += 4 + length + ((4 - (length % 4)) % 4)
  }
  throw new Error('no XOR-MAPPED-ADDRESS')
}

async function nextDatagram (socket: Socket, timeoutMs: number): Promise<Buffer | undefined> {
  const timeout = new Promise<undefined>(resolve => setTimeout(resolve, timeoutMs))
  const message = once(socket, 'message').then(([msg]) => msg as Buffer)
  return await Promise.race([message, timeout])
}

async function udpSocket (address: string): Promise<Socket> {
  const socket = createSocket('udp4')
  socket.bind(0, address)
  await once(socket, 'listening')
  return socket
}

describe('STUN responder over real UDP on 127.0.0.1', () => {
  let server: StunServer
  let client: Socket

  beforeEach(async () => {
    server = await startStunServer({ host: '127.0.0.1', port: 0 })
    client = createSocket('udp4')
    client.bind(0, '127.0.0.1')
    await once(client, 'listening')
  })

  afterEach(async () => {
    client.close()
    await server.close()
  })

  it('answers a Binding Request with the sender\'s address in XOR-MAPPED-ADDRESS', async () => {
    const transactionId = Buffer.from('0123456789abcdef01234567', 'hex')
    client.send(bindingRequest(transactionId), server.port, '127.0.0.1')
    const response = await nextDatagram(client, 2_000)
    expect(response).toBeDefined()
    expect(response!.readUInt16BE(0)).toBe(0x0101)
    expect(response!.readUInt16BE(2)).toBe(response!.length - 20)
    expect(response!.readUInt32BE(4)).toBe(0x2112a442)
    expect(response!.subarray(8, 20).equals(transactionId)).toBe(true)
    expect(xorMappedIPv4(response!)).toEqual({ address: '127.0.0.1', port: client.address().port })
    // The FINGERPRINT it carries checks out.
    expect(parseStunMessage(response!)).toBeDefined()
  })

  it('ignores junk, classic STUN without the magic cookie, indications and responses, and still answers after them', async () => {
    const id = Buffer.alloc(12, 7)
    client.send(Buffer.from('hello, not stun'), server.port, '127.0.0.1')
    client.send(bindingRequest(id, { cookie: 0 }), server.port, '127.0.0.1')
    client.send(bindingRequest(id, { type: 0x0011 }), server.port, '127.0.0.1') // Binding Indication
    client.send(bindingRequest(id, { type: 0x0101 }), server.port, '127.0.0.1') // a response
    client.send(bindingRequest(id, { type: 0x0003 }), server.port, '127.0.0.1') // Allocate: not ours
    client.send(Buffer.concat([bindingRequest(id), Buffer.alloc(3)]), server.port, '127.0.0.1') // length does not match
    expect(await nextDatagram(client, 300)).toBeUndefined()
    const good = Buffer.alloc(12, 9)
    client.send(bindingRequest(good), server.port, '127.0.0.1')
    const response = await nextDatagram(client, 2_000)
    expect(response?.subarray(8, 20).equals(good)).toBe(true)
  })

  it('answers one address at most its share a second, whatever its ports, counts the rest and still answers another address', async () => {
    const sources: string[] = []
    const limited = await startStunServer({ host: '127.0.0.1', port: 0, answersPerSecond: 5, onLimited: source => { sources.push(source) } })
    const sameHost = await udpSocket('127.0.0.1')
    const otherHost = await udpSocket('127.0.0.2')
    const answers: Buffer[] = []
    for (const socket of [client, sameHost]) socket.on('message', (msg: Buffer) => { answers.push(msg) })
    try {
      // Sent in one go from two ports of one address: the server reads them within the same second, however loaded the machine.
      for (let i = 0; i < 10; i++) {
        client.send(bindingRequest(Buffer.alloc(12, i)), limited.port, '127.0.0.1')
        sameHost.send(bindingRequest(Buffer.alloc(12, 100 + i)), limited.port, '127.0.0.1')
      }
      client.send(Buffer.from('junk'), limited.port, '127.0.0.1')
      await expect.poll(() => limited.counters.answered + limited.counters.limited + limited.counters.ignored).toBe(21)
      expect(limited.counters).toEqual({ answered: 5, limited: 15, ignored: 1 })
      expect(sources).toEqual(Array(15).fill('127.0.0.1'))
      await expect.poll(() => answers.length).toBe(5)
      otherHost.send(bindingRequest(Buffer.alloc(12, 99)), limited.port, '127.0.0.1')
      expect(xorMappedIPv4((await nextDatagram(otherHost, 2_000))!)).toEqual({ address: '127.0.0.2', port: otherHost.address().port })
    } finally {
      sameHost.close()
      otherHost.close()
      await limited.close()
    }
  })

  it('refuses a port already taken, with a typed error', async () => {
    await expect(startStunServer({ host: '127.0.0.1', port: server.port })).rejects.toMatchObject({ name: 'StunBindError', port: server.port })
  })
})

const hasIPv6Loopback = Object.values(networkInterfaces()).flat().some(i => i?.address === '::1')

describe.skipIf(!hasIPv6Loopback)('STUN responder over UDP on ::1', () => {
  it('answers with an IPv6 XOR-MAPPED-ADDRESS', async () => {
    const server = await startStunServer({ host: '::1', port: 0 })
    const client = createSocket('udp6')
    client.bind(0, '::1')
    await once(client, 'listening')
    try {
      client.send(bindingRequest(Buffer.alloc(12, 3)), server.port, '::1')
      const response = await nextDatagram(client, 2_000)
      const message = parseStunMessage(response!)
      const value = message!.attributes.find(a => a.type === 0x0020)!.value
      expect(decodeXorAddress(value, message!.transactionId)).toEqual({ family: 'IPv6', address: '::1', port: client.address().port })
    } finally {
      client.close()
      await server.close()
    }
  })
})

describe('STUN messages', () => {
  it('reads the RFC 5769 sample IPv4 response (FINGERPRINT checked, address un-XORed)', () => {
    const sample = Buffer.from(
      '0101003c2112a442b7e7a701bc34d686fa87dfae8022000b74657374207665637' +
      '46f7220002000080001a147e112a643000800142b91f599fd9e90c38c7489f92a' +
      'f9ba53f06be7d780280004c07d4c96', 'hex')
    const message = parseStunMessage(sample)
    expect(message).toBeDefined()
    const value = message!.attributes.find(a => a.type === 0x0020)!.value
    expect(decodeXorAddress(value, message!.transactionId)).toEqual({ family: 'IPv4', address: '192.0.2.1', port: 32853 })
    // One flipped bit and the FINGERPRINT no longer matches.
    sample.writeUInt8(sample.readUInt8(30) ^ 1, 30)
    expect(parseStunMessage(sample)).toBeUndefined()
  })

  it('XORs IPv6 addresses with the cookie and the transaction id, both ways', () => {
    const transactionId = new Uint8Array(Buffer.from('b7e7a701bc34d686fa87dfae', 'hex'))
    const address = { family: 'IPv6' as const, address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853 }
    const value = encodeXorAddress(address, transactionId)
    // RFC 5769 section 2.3's XOR-MAPPED-ADDRESS value.
    expect(Buffer.from(value).toString('hex')).toBe('0002a1470113a9faa5d3f179bc25f4b5bed2b9d9')
    expect(decodeXorAddress(value, transactionId)).toEqual(address)
  })

  it('answers nothing to a request it cannot read', () => {
    expect(bindingResponse(new Uint8Array(19), { family: 'IPv4', address: '127.0.0.1', port: 1 })).toBeUndefined()
  })
})
