import { describe, expect, it } from 'vitest'
import { isFullRun, SECTIONS, selectSections } from './sections.ts'

describe('selectSections', () => {
  it('runs everything when PEERLINK_BENCH is unset, empty or "all"', () => {
    const all = Object.keys(SECTIONS)
    expect(selectSections(undefined)).toEqual(all)
    expect(selectSections('')).toEqual(all)
    expect(selectSections(' , ')).toEqual(all)
    expect(selectSections('all')).toEqual(all)
    expect(isFullRun(selectSections(undefined))).toBe(true)
  })

  it('answers the named sections in run order, whatever order they are given in', () => {
    expect(selectSections('wake,throughput, latency')).toEqual(['throughput', 'latency', 'wake'])
    expect(isFullRun(selectSections('wake'))).toBe(false)
  })

  it('takes "growth" for its three sections, once each', () => {
    expect(selectSections('contacts growth')).toEqual(['history', 'peers', 'contacts'])
  })

  it('refuses a name it does not know, naming the ones it does', () => {
    expect(() => selectSections('throughput,speed')).toThrow(/no section "speed".*throughput/)
  })
})
