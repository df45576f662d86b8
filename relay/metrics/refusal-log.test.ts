import { describe, expect, it } from 'vitest'
import { RefusalLog } from './refusal-log.ts'

describe('RefusalLog', () => {
  it('writes the first refusal of a cause at once, then one line a minute that says how many it left out', () => {
    const lines: string[] = []
    let now = 0
    const log = new RefusalLog(line => lines.push(line), () => now)
    log.refuse('connections-per-ip', '198.51.100.7')
    for (let i = 0; i < 199; i++) log.refuse('connections-per-ip', '198.51.100.7')
    log.refuse('stun-rate', '203.0.113.9')
    expect(lines).toEqual(['relay: refused connections-per-ip: 198.51.100.7', 'relay: refused stun-rate: 203.0.113.9'])
    now = 59_999
    log.refuse('connections-per-ip', '198.51.100.7')
    expect(lines).toHaveLength(2)
    now = 60_000
    log.refuse('connections-per-ip', '198.51.100.8')
    expect(lines[2]).toBe('relay: refused connections-per-ip: 198.51.100.8 (and 200 more since the last line)')
    now = 200_000
    log.refuse('connections-per-ip', '198.51.100.8')
    expect(lines[3]).toBe('relay: refused connections-per-ip: 198.51.100.8')
    expect(Object.fromEntries(log.counts())).toEqual({ 'connections-per-ip': 203, 'stun-rate': 1 })
  })
})
