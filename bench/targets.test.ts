import { describe, expect, it } from 'vitest'
import { describeTarget, evaluateTargets, formatTargetLine, TARGETS } from './targets.ts'

const figures: Record<string, number> = {
  'peerlink.64k.mbps': 4, 'libp2p.throughput': 10, 'peerlink.1k.msgs': 3_600, 'peerlink.1k.cpu': 0.5, 'peerlink.latency.p50': 20, 'latency.floor': 2.5,
  'wake.delivery': 100, 'recovery.reset': 32, 'memory.heap.middle': 20, 'memory.heap.last': 20.4
}
const get = (key: string): number | undefined => figures[key]

describe('evaluateTargets', () => {
  it('gives every target its figure / target ratio and whether it is met', () => {
    const byKey = Object.fromEntries(evaluateTargets(get).map(r => [r.key, r]))
    expect(byKey['throughput.64k.ratio']).toMatchObject({ figure: 0.4, met: false })
    expect(byKey['throughput.64k.ratio']?.ratio).toBeCloseTo(0.4 / 0.65)
    expect(byKey['throughput.1k.msgs']).toMatchObject({ ratio: 1.2, met: true })
    expect(byKey['throughput.1k.cpu']?.met).toBe(true)
    expect(byKey['latency.p50']).toMatchObject({ ratio: 2, met: false })
    expect(byKey['latency.floor']).toMatchObject({ figure: 8, met: false })
    expect(byKey['wake.delivery']?.met).toBe(true)
    expect(byKey['recovery.reset']?.met).toBe(true)
    expect(byKey['memory.flat']?.figure).toBeCloseTo(1.02)
    expect(byKey['memory.flat']?.met).toBe(true)
  })

  it('meets a "below" target only strictly under it, an "at least" one at it', () => {
    const exactly = evaluateTargets(key => ({ 'peerlink.latency.p50': 10, 'peerlink.1k.msgs': 3_000 } as Record<string, number>)[key])
    expect(exactly.find(r => r.key === 'latency.p50')?.met).toBe(false)
    expect(exactly.find(r => r.key === 'throughput.1k.msgs')?.met).toBe(true)
  })

  it('leaves what a partial run did not measure unjudged', () => {
    const results = evaluateTargets(() => undefined)
    expect(results).toHaveLength(TARGETS.length)
    for (const r of results) expect(r).toMatchObject({ figure: null, ratio: null, met: null })
    expect(formatTargetLine(results[0]!)).toContain('not measured')
  })

  it('prints the target as people write it', () => {
    expect(describeTarget({ sense: 'atLeast', target: 10_000, unit: 'msg/s' })).toBe('≥ 10,000 msg/s')
    expect(describeTarget({ sense: 'below', target: 5, unit: 'ms' })).toBe('< 5 ms')
    expect(describeTarget({ sense: 'atLeast', target: 0.8, unit: '×' })).toBe('≥ 0.8')
    const line = formatTargetLine(evaluateTargets(get).find(r => r.key === 'latency.p50')!)
    expect(line).toMatch(/20\.0 ms +target < 10 ms +ratio +2\.00 +missed$/)
  })
})
