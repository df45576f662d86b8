import { describe, expect, it } from 'vitest'
import { ResourceLimitError, ValidationError } from './errors/index.ts'
import { parseIceServers, parseIceUrl } from './ice-servers.ts'

/** The ValidationError `parseIceServers` throws for `input`, as { field, reason }. */
function refusal (input: unknown): { field: string, reason: string } {
  try {
    parseIceServers(input)
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError)
    return (err as ValidationError).data
  }
  throw new Error('accepted')
}

describe('parseIceUrl', () => {
  it('takes STUN and TURN URLs apart: host, port, transport', () => {
    expect(parseIceUrl('stun:stun.example.org')).toEqual({ scheme: 'stun', host: 'stun.example.org' })
    expect(parseIceUrl('stuns:stun.example.org:5349')).toEqual({ scheme: 'stuns', host: 'stun.example.org', port: 5349 })
    expect(parseIceUrl('turn:192.0.2.7:3478?transport=udp')).toEqual({ scheme: 'turn', host: '192.0.2.7', port: 3478, transport: 'udp' })
    expect(parseIceUrl('TURNS:[2001:db8::1]:443?transport=TCP')).toEqual({ scheme: 'turns', host: '[2001:db8::1]', port: 443, transport: 'tcp' })
    expect(parseIceUrl('turn:[::1]')).toEqual({ scheme: 'turn', host: '[::1]' })
  })

  it.each([
    ['http://stun.example.org', /not an ICE server URL/],
    ['stun.example.org:3478', /not an ICE server URL|expected a URL/],
    ['stun://stun.example.org', /no "\/\/"/],
    ['stun:stun.example.org/path', /no path/],
    ['turn:user@turn.example.org', /username field/],
    ['stun:', /host is missing/],
    ['stun::3478', /host is missing/],
    ['stun:exa mple.org', /not a host name/],
    ['stun:-bad.example.org', /not a host name/],
    ['stun:256.1.1.1', /not a host name or an IP/],
    ['stun:1.2.3', /not a host name or an IP/],
    ['stun:example.org:0', /port must be a number from 1 to 65535/],
    ['stun:example.org:65536', /port must be/],
    ['stun:example.org:', /port must be/],
    ['stun:example.org:34x', /port must be/],
    ['turn:2001:db8::1', /goes in brackets/],
    ['turn:[2001:db8::1', /closing "\]"/],
    ['turn:[not:ipv6]', /not an IPv6 address/],
    ['turn:[::1]x', /unexpected "x"/],
    ['stun:example.org?transport=udp', /STUN URL takes no/],
    ['turn:example.org?transport=sctp', /only option/],
    ['turn:example.org?foo=bar', /only option/],
    ['', /expected a URL such as/]
  ])('refuses %j, saying why', (url, reason) => {
    const parsed = parseIceUrl(url)
    expect('problem' in parsed && parsed.problem).toMatch(reason)
  })
})

describe('parseIceServers', () => {
  it('normalises a valid list: urls always a list, blank credentials dropped, scheme in lower case', () => {
    expect(parseIceServers([
      { urls: 'STUN:stun.example.org:3478' },
      { urls: [' turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'], username: 'u', credential: 'c' },
      { urls: 'stun:[::1]:3478', username: '', credential: '' }
    ])).toEqual([
      { urls: ['stun:stun.example.org:3478'] },
      { urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'], username: 'u', credential: 'c' },
      { urls: ['stun:[::1]:3478'] }
    ])
    expect(parseIceServers([])).toEqual([])
  })

  it('names the bad URL by its place: iceServers.<server>.urls.<url>', () => {
    expect(refusal([{ urls: 'stun:a.example' }, { urls: ['stun:b.example', 'http://b.example'] }]))
      .toMatchObject({ field: 'iceServers.1.urls.1', reason: expect.stringMatching(/not an ICE server URL/) })
    expect(refusal([{ urls: 'stun:a.example:99999' }])).toMatchObject({ field: 'iceServers.0.urls.0', reason: expect.stringMatching(/port/) })
  })

  it('wants 1 to 4 URLs per server', () => {
    expect(refusal([{ urls: [] }])).toEqual({ field: 'iceServers.0.urls', reason: 'at least one URL' })
    expect(refusal([{ urls: Array.from({ length: 5 }, (_, i) => `stun:s${i}.example`) }])).toMatchObject({ field: 'iceServers.0.urls' })
    expect(refusal([{ urls: 42 }])).toMatchObject({ field: 'iceServers.0.urls' })
  })

  it('wants a username and a credential for TURN, and takes none for STUN', () => {
    expect(refusal([{ urls: 'turn:t.example:3478' }])).toEqual({ field: 'iceServers.0.username', reason: 'a TURN server needs a username' })
    expect(refusal([{ urls: 'turn:t.example:3478', username: 'u' }])).toEqual({ field: 'iceServers.0.credential', reason: 'a TURN server needs a credential' })
    expect(refusal([{ urls: ['stun:s.example', 'turns:t.example'], username: 'u', credential: '' }])).toMatchObject({ field: 'iceServers.0.credential' })
    expect(refusal([{ urls: 'stun:s.example', credential: 'c' }])).toEqual({ field: 'iceServers.0.credential', reason: 'only a TURN server takes a credential' })
  })

  it('bounds every text', () => {
    expect(refusal([{ urls: `stun:${'a'.repeat(600)}.example` }])).toMatchObject({ field: 'iceServers.0.urls.0', reason: 'at most 512 characters' })
    expect(refusal([{ urls: 'turn:t.example', username: 'u'.repeat(513), credential: 'c' }])).toMatchObject({ field: 'iceServers.0.username' })
    expect(refusal([{ urls: 'turn:t.example', username: 'u', credential: 7 }])).toMatchObject({ field: 'iceServers.0.credential' })
  })

  it('refuses more than 8 servers with a ResourceLimitError, and anything but a list', () => {
    const nine = Array.from({ length: 9 }, (_, i) => ({ urls: `stun:s${i}.example` }))
    const err = (() => { try { parseIceServers(nine) } catch (e) { return e } })()
    expect(err).toBeInstanceOf(ResourceLimitError)
    expect((err as ResourceLimitError).data).toEqual({ limitType: 'ice-servers', limit: 8, current: 9 })
    expect(parseIceServers(nine.slice(0, 8))).toHaveLength(8)
    expect(refusal({ urls: 'stun:s.example' })).toMatchObject({ field: 'iceServers' })
    expect(refusal([null])).toMatchObject({ field: 'iceServers.0' })
  })
})
