import { describe, expect, it } from 'vitest'
import { routeFromStats, type IceStats } from './ice-route.ts'

const candidate = (id: string, candidateType: string, type = 'local-candidate'): IceStats => ({ id, type, candidateType })
const pair = (id: string, local: string, remote: string, extra: Partial<IceStats> = {}): IceStats =>
  ({ id, type: 'candidate-pair', localCandidateId: local, remoteCandidateId: remote, state: 'in-progress', ...extra })

describe('routeFromStats', () => {
  it('reads Chromium\'s selected pair from the transport entry: host or reflexive on both ends is direct', () => {
    const stats = [
      candidate('L1', 'host'), candidate('L2', 'srflx'), candidate('R1', 'prflx', 'remote-candidate'), candidate('R2', 'relay', 'remote-candidate'),
      pair('P1', 'L2', 'R1', { state: 'succeeded', nominated: true }),
      pair('P2', 'L1', 'R2', { state: 'succeeded' }),
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P1' }
    ]
    expect(routeFromStats(stats)).toBe('direct')
  })

  it('says TURN when a relay candidate is on either end of the pair in use', () => {
    const local = [candidate('L', 'relay'), candidate('R', 'srflx', 'remote-candidate'), pair('P', 'L', 'R'), { id: 'T', type: 'transport', selectedCandidatePairId: 'P' }]
    expect(routeFromStats(local)).toBe('turn')
    const remote = [candidate('L', 'host'), candidate('R', 'relay', 'remote-candidate'), pair('P', 'L', 'R', { selected: true })]
    expect(routeFromStats(remote)).toBe('turn')
  })

  it('without a transport entry: Firefox\'s `selected`, else a nominated pair that succeeded', () => {
    const candidates = [candidate('L1', 'host'), candidate('L2', 'relay'), candidate('R', 'srflx', 'remote-candidate')]
    expect(routeFromStats([...candidates, pair('A', 'L2', 'R', { state: 'succeeded' }), pair('B', 'L1', 'R', { selected: true })])).toBe('direct')
    expect(routeFromStats([...candidates, pair('A', 'L1', 'R', { state: 'failed', nominated: true }), pair('B', 'L2', 'R', { state: 'succeeded', nominated: true })])).toBe('turn')
  })

  it('knows nothing while no pair is selected', () => {
    expect(routeFromStats([candidate('L', 'host'), candidate('R', 'host', 'remote-candidate'), pair('P', 'L', 'R')])).toBeUndefined()
    expect(routeFromStats([])).toBeUndefined()
  })
})
