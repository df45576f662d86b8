import { describe, expect, it } from 'vitest'
import { qrCodePath } from './qr-code.ts'

/** The dark modules a path draws, as "x,y". */
const modules = (path: string): Set<string> => new Set([...path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map(m => `${m[1]},${m[2]}`))

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
  })

  it('grows with the text and holds the longest contact card', () => {
    expect(qrCodePath('x'.repeat(300)).size).toBeGreaterThan(qrCodePath('x').size)
    expect(() => qrCodePath(`peerlink:${'a'.repeat(2040)}`)).not.toThrow()
  })
})
