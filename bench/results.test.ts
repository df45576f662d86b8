import { describe, expect, it } from 'vitest'
import { emptyResults, mergeResults, type Results } from './results.ts'

const figure = (key: string, section: 'layers' | 'wake', median: number) => ({ key, name: key, unit: 'ms', median, runs: [median], section })

describe('mergeResults', () => {
  const previous: Results = {
    ...emptyResults('2026-01-01T00:00:00.000Z'),
    measured: { layers: '2026-01-01', wake: '2026-01-01' },
    figures: [figure('raw.rtt', 'layers', 0.5), figure('wake.delivery', 'wake', 300), { key: 'nat.x', name: 'nat.x', unit: 'ms', median: 1, runs: [1] }],
    bundle: [{ name: 'service worker', bytes: 1, files: [] }]
  }

  it('replaces the sections a partial run measured and keeps the others', () => {
    const fresh: Results = { ...emptyResults('2026-02-02T00:00:00.000Z'), measured: { wake: '2026-02-02' }, figures: [figure('wake.delivery', 'wake', 120)] }
    const merged = mergeResults(previous, fresh, ['wake'])
    expect(merged.figures.map(f => [f.key, f.median])).toEqual([['raw.rtt', 0.5], ['nat.x', 1], ['wake.delivery', 120]])
    expect(merged.measured).toEqual({ layers: '2026-01-01', wake: '2026-02-02' })
    expect(merged.bundle).toEqual(previous.bundle)
    expect(merged.date).toBe('2026-02-02T00:00:00.000Z')
  })

  it('replaces a figure measured again by another section', () => {
    const fresh: Results = { ...emptyResults('d'), figures: [figure('raw.rtt', 'wake', 0.7)] }
    expect(mergeResults(previous, fresh, ['wake']).figures.filter(f => f.key === 'raw.rtt').map(f => f.median)).toEqual([0.7])
  })

  it('takes the bundle from a run that measured it', () => {
    const fresh: Results = { ...emptyResults('d'), bundle: [] }
    expect(mergeResults(previous, fresh, ['bundle']).bundle).toEqual([])
  })

  it('starts from nothing when there was no file', () => {
    const fresh: Results = { ...emptyResults('d'), figures: [figure('raw.rtt', 'layers', 1)] }
    expect(mergeResults(undefined, fresh, ['layers']).figures).toHaveLength(1)
  })
})
