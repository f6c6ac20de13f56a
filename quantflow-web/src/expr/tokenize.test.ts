import { describe, expect, it } from 'vitest'
import { completionsFor } from './completions'
import { offsetOf, tokenize, wordAt } from './tokenize'

describe('expression tokens', () => {
  it('classifies functions, names, numbers, keywords and operators', () => {
    const kinds = tokenize('sma(close, 1_0) > close->5 and x').filter((t) => t.kind !== 'space')
    expect(kinds.map((t) => `${t.kind}:${t.text}`)).toEqual([
      'function:sma', 'paren:(', 'name:close', 'operator:,', 'number:1_0', 'paren:)', 'operator:>',
      'name:close', 'operator:->', 'number:5', 'keyword:and', 'name:x',
    ])
  })

  it('never fails on bad characters', () => {
    expect(tokenize('a & b').map((t) => t.kind)).toContain('error')
  })

  it('finds the word at the cursor and offsets of line/column', () => {
    expect(wordAt('sma(clo', 7)).toEqual({ start: 4, word: 'clo' })
    expect(wordAt('sma(1', 5)).toBeNull()
    expect(offsetOf('ab\ncd', 2, 2)).toBe(4)
  })

  it('completes functions and inputs', () => {
    const fns = [{ name: 'sma', signature: 'sma(x, n)', doc: 'avg', result: 'number', params: [] }]
    expect(completionsFor('s', fns, { slow: 'number' }).map((c) => c.insert)).toEqual(['slow', 'sma('])
  })
})
