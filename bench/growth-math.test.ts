import { describe, expect, it } from 'vitest'
import { growthSeries, growthSteps } from './growth-math.ts'

describe('growthSteps', () => {
  it('answers the ratio and the exponent of each step', () => {
    const steps = growthSteps([1_000, 10_000, 100_000], [2, 20, 2_000])
    expect(steps.map(s => s.ratio)).toEqual([10, 100])
    expect(steps[0]!.exponent).toBeCloseTo(1)
    expect(steps[1]!.exponent).toBeCloseTo(2)
    expect(steps[0]).toMatchObject({ fromSize: 1_000, toSize: 10_000 })
  })

  it('works on uneven steps (1, 10, 50)', () => {
    const steps = growthSteps([1, 10, 50], [1, 10, 50])
    expect(steps[1]!.ratio).toBe(5)
    expect(steps[1]!.exponent).toBeCloseTo(1)
  })

  it('treats values under the noise floor as the floor', () => {
    const [step] = growthSteps([10, 100], [0.3, 1.5], 2)
    expect(step!.ratio).toBe(1)
    expect(step!.exponent).toBe(0)
  })

  it('copes with zeros', () => {
    expect(growthSteps([1, 10], [0, 0])[0]!.ratio).toBe(1)
    expect(growthSteps([1, 10], [0, 5])[0]!.ratio).toBe(Infinity)
  })

  it('refuses sizes and values of different lengths', () => {
    expect(() => growthSteps([1, 10], [1])).toThrow()
  })
})

describe('growthSeries', () => {
  const spec = { key: 'k', name: 'n', unit: 'ms', sizeLabel: 'things' }

  it('calls a cost flat when no step grows', () => {
    const s = growthSeries({ ...spec, expected: 'flat' }, [1, 10, 100], [5, 5.5, 5.2])
    expect(s.verdict).toBe('flat')
    expect(s.fasterThanWork).toBe(false)
  })

  it('lets work proportional to the size grow with it, not faster', () => {
    expect(growthSeries({ ...spec, expected: 'linear' }, [10, 100, 1_000], [1, 10, 100]).verdict).toBe('no faster than the work')
    const quadratic = growthSeries({ ...spec, expected: 'linear' }, [10, 100, 1_000], [1, 10, 1_000])
    expect(quadratic.fasterThanWork).toBe(true)
    expect(quadratic.worstExponent).toBeCloseTo(2)
  })

  it('flags a cost that should be flat but grows with the size', () => {
    const s = growthSeries({ ...spec, expected: 'flat' }, [1_000, 10_000, 100_000], [10, 30, 300])
    expect(s.fasterThanWork).toBe(true)
    expect(s.verdict).toBe('faster than the work')
  })

  it('keeps the floor out of the stored series', () => {
    expect(growthSeries({ ...spec, expected: 'flat', floor: 2 }, [1, 10], [1, 1])).not.toHaveProperty('floor')
  })
})
