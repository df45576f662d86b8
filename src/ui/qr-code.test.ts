import jsQR from 'jsqr'
import { describe, expect, it } from 'vitest'
import { MAX_CONTACT_CARD_CHARS } from '../common/constants.ts'
import { formatContactCard } from '../common/wire/contact-card.ts'
import { qrCodePath } from './qr-code.ts'

/** The dark modules a path draws, as "x,y". */
const modules = (path: string): Set<string> => new Set([...path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map(m => `${m[1]},${m[2]}`))

/** What a QR reader reads from the drawing: the path rendered dark on light, `scale` pixels a module, then decoded. */
function scan (text: string, scale = 4): string | undefined {
  const { size, path } = qrCodePath(text)
  const dark = modules(path)
  const width = size * scale
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255)
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < width; x++) {
      if (!dark.has(`${Math.floor(x / scale)},${Math.floor(y / scale)}`)) continue
      pixels.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3)
    }
  }
  return jsQR(pixels, width, width, { inversionAttempts: 'dontInvert' })?.data
}

describe('qrCodePath', () => {
  it('draws a version 1 code for short text: 21 modules and a quiet zone of 4 on each side', () => {
    const { size, path } = qrCodePath('peerlink')
    expect(size).toBe(21 + 8)
    const dark = modules(path)
    // The quiet zone is light all round.
    for (let i = 0; i < size; i++) {
      for (const [x, y] of [[i, 0], [i, 3], [0, i], [size - 1, i]]) expect(dark.has(`${x},${y}`)).toBe(false)
    }
    // The three finder patterns: a dark 7×7 ring at the corners but the bottom right.
    for (const [x, y] of [[4, 4], [4 + 6, 4], [4, 4 + 6], [size - 5, 4], [4, size - 5]]) expect(dark.has(`${x},${y}`)).toBe(true)
    expect(dark.has(`${4 + 1},${4 + 1}`)).toBe(false)
    expect(path).toMatch(/^(M\d+ \d+h1v1h-1z)+$/)
    expect(scan('peerlink')).toBe('peerlink')
  })

  it('a reader gets back exactly the contact card drawn', () => {
    const peerId = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE'
    const relay = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWAwdUhL9wvVNd7h2Vb5kdyCmMvEmR7cVTcpLp9s6XkzxL'
    const card = formatContactCard({ peerId, addresses: [`${relay}/p2p-circuit/p2p/${peerId}`] })
    expect(scan(card)).toBe(card)
  })

  it('grows with the text, and a reader gets back the longest contact card whole', () => {
    expect(qrCodePath('x'.repeat(300)).size).toBeGreaterThan(qrCodePath('x').size)
    const longest = `peerlink:${'a'.repeat(MAX_CONTACT_CARD_CHARS - 'peerlink:'.length)}`
    expect(longest).toHaveLength(MAX_CONTACT_CARD_CHARS)
    expect(scan(longest)).toBe(longest)
  })
})
