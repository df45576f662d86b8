import { describe, expect, it } from 'vitest'
import { InboundBudget } from './inbound-budget.ts'

describe('InboundBudget', () => {
  it('signals pressure over the limit and relief at half of it, with exact accounting', () => {
    const budget = new InboundBudget(100)
    const changes: boolean[] = []
    budget.onChange(p => changes.push(p))
    budget.reserve(60)
    budget.reserve(60)
    expect(budget.pressured).toBe(true)
    budget.release(60)
    expect(budget.pressured).toBe(true)
    budget.release(20)
    expect(budget.pressured).toBe(false)
    budget.release(40)
    expect(budget.used).toBe(0)
    expect(changes).toEqual([true, false])
  })
})
