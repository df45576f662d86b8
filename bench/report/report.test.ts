import { describe, expect, it } from 'vitest'
import { growthSeries } from '../growth-math.ts'
import { headlineSvg, reportHtml } from './report.ts'
import { emptyResults, type Results } from '../results.ts'
import { evaluateTargets } from '../targets.ts'

function sample (): Results {
  const results = emptyResults('2026-11-22T05:00:00.000Z')
  const figures: Record<string, number> = { 'raw.throughput': 20, 'libp2p.throughput': 14, 'peerlink.64k.mbps': 4.5, 'raw.rtt': 0.5, 'libp2p.rtt': 0.9, 'peerlink.latency.p50': 12, 'peerlink.1k.msgs': 1330 }
  results.figures = Object.entries(figures).map(([key, median]) => ({ key, name: key, unit: 'x', median, runs: [median] }))
  results.targets = evaluateTargets(key => figures[key])
  results.samples = { 'peerlink.latency': [10, 11, 12, 12, 13, 40] }
  results.growth = [
    growthSeries({ key: 'history.sender.getStatus', name: 'sender: getStatus', unit: 'ms', sizeLabel: 'stored messages', section: 'history', expected: 'flat' }, [1_000, 10_000, 100_000], [2, 2, 30]),
    growthSeries({ key: 'history.receiver.getStatus', name: 'receiver: getStatus', unit: 'ms', sizeLabel: 'stored messages', section: 'history', expected: 'flat' }, [1_000, 10_000, 100_000], [2, 2, 2])
  ]
  results.bundle = [{ name: 'service worker', bytes: 400_000, files: [{ file: 'service-worker.js', bytes: 120_000 }, { file: 'assets/a.js', bytes: 280_000 }] }]
  results.measured = { layers: results.date }
  return results
}

describe('report', () => {
  it('is one page with no script and nothing fetched', () => {
    const html = reportHtml(sample())
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/)
    expect(html).toContain('<h2>How cost grows</h2>')
  })

  it('shows the layers, the targets, the growth with its verdicts, the histogram and the bundle', () => {
    const html = reportHtml(sample())
    expect(html).toContain('RTCDataChannel')
    expect(html).toContain('≥ 3,000 msg/s')
    expect(html).toContain('faster than the work')
    // sender and receiver share one chart per measure
    expect(html.match(/<figure>/g)!.length).toBe(2)
    expect(html).toContain('(6 messages)')
    expect(html).toContain('400.0 kB')
  })

  it('adds a baseline column when a baseline is given', () => {
    const before = sample()
    before.targets = evaluateTargets(key => ({ 'peerlink.latency.p50': 28 } as Record<string, number>)[key])
    expect(reportHtml(sample(), before)).toContain('<th class="n">baseline</th>')
  })

  it('draws the headline chart from what was measured, leaving the rest marked', () => {
    const svg = headlineSvg(sample())
    expect(svg).toContain('Targets')
    expect(svg).toContain('not measured')
    expect(svg).toContain('2026-11-22')
  })
})
