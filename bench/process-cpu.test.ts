import { describe, expect, it } from 'vitest'
import { descendants, parseStat } from './process-cpu.ts'

describe('process CPU', () => {
  it('reads the parent and the CPU ticks of a stat line, even with spaces and parentheses in the name', () => {
    const line = '4242 (chrome (renderer) x) S 4200 4242 4242 0 -1 4194560 100 0 0 0 150 25 0 0 20 0 10 0 1000 100000 200'
    expect(parseStat(line)).toEqual({ ppid: 4200, ticks: 175 })
  })

  it('collects a process tree, wherever the children are listed', () => {
    const procs = [{ pid: 5, ppid: 3 }, { pid: 3, ppid: 1 }, { pid: 1, ppid: 0 }, { pid: 9, ppid: 8 }, { pid: 4, ppid: 1 }]
    expect([...descendants(procs, [1])].sort()).toEqual([1, 3, 4, 5])
  })
})
