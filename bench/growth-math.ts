/**
 * How a cost grows with the size of what it works on: the ratio per step
 * and the exponent it implies (value ∝ size^k), against what the work
 * itself needs (k = 0 for work that does not depend on the size, 1 for work
 * proportional to it).
 */
import type { Section } from './sections.ts'

/** How a cost should grow: `flat` when the work does not depend on the size, `linear` when it is proportional to it. */
export type Expected = 'flat' | 'linear'

export interface GrowthStep {
  fromSize: number
  toSize: number
  /** value at toSize / value at fromSize (both raised to the noise floor first). */
  ratio: number
  /** log(ratio) / log(size ratio): 0 is flat, 1 grows with the size, 2 with its square. */
  exponent: number
}

export interface GrowthSeries {
  key: string
  name: string
  unit: string
  section?: Section
  /** What the size counts, e.g. "stored messages". */
  sizeLabel: string
  sizes: number[]
  values: number[]
  expected: Expected
  steps: GrowthStep[]
  /** The largest exponent of any step. */
  worstExponent: number
  fasterThanWork: boolean
  /** "flat", "no faster than the work" or "faster than the work". */
  verdict: string
}

/** How far above the expected exponent a step may go before it counts as growing faster (timing noise on a shared 2-core machine). */
export const EXPONENT_TOLERANCE = 0.3

/** Ratio and exponent per step; values under `floor` count as `floor` (differences below it are noise). */
export function growthSteps (sizes: number[], values: number[], floor = 0): GrowthStep[] {
  if (sizes.length !== values.length) throw new Error(`growth: ${sizes.length} sizes but ${values.length} values`)
  const steps: GrowthStep[] = []
  for (let i = 1; i < sizes.length; i++) {
    const [s0, s1] = [sizes[i - 1]!, sizes[i]!]
    const [v0, v1] = [Math.max(values[i - 1]!, floor), Math.max(values[i]!, floor)]
    const ratio = v0 === 0 ? (v1 === 0 ? 1 : Infinity) : v1 / v0
    const exponent = s1 === s0 ? 0 : Math.log(ratio) / Math.log(s1 / s0)
    steps.push({ fromSize: s0, toSize: s1, ratio, exponent })
  }
  return steps
}

/** A measured series with its steps and verdict. */
export function growthSeries (spec: { key: string, name: string, unit: string, sizeLabel: string, section?: Section, expected: Expected, floor?: number }, sizes: number[], values: number[]): GrowthSeries {
  const steps = growthSteps(sizes, values, spec.floor ?? 0)
  const worstExponent = steps.reduce((worst, s) => Math.max(worst, s.exponent), -Infinity)
  const allowed = (spec.expected === 'flat' ? 0 : 1) + EXPONENT_TOLERANCE
  const fasterThanWork = worstExponent > allowed
  const verdict = fasterThanWork ? 'faster than the work' : worstExponent <= EXPONENT_TOLERANCE ? 'flat' : 'no faster than the work'
  const { floor: _floor, ...rest } = spec
  return { ...rest, sizes, values, steps, worstExponent, fasterThanWork, verdict }
}
