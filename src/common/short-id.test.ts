import { describe, expect, it } from 'vitest'
import { displayName, shortId } from './short-id.ts'

const id = '12D3KooWLbR4uDPpSVrGKTBrVL9UG8xE1HULt4yyThC8CrQxMdQj'

describe('shortId and displayName', () => {
  it('shortens a long peer id to its start and end, and leaves a short one as it is', () => {
    expect(shortId(id)).toBe('12D3KooW…QxMdQj')
    expect(shortId('short')).toBe('short')
  })

  it('names a contact by its name, or by its short id when it has none', () => {
    expect(displayName('Bob', id)).toBe('Bob')
    expect(displayName('', id)).toBe(shortId(id))
    expect(displayName(undefined, id)).toBe(shortId(id))
  })
})
