import { describe, expect, it } from 'vitest'
import { catalog } from '../test/fixtures'
import { indexCatalog, paletteGroups } from './catalog'
import { checkConnection } from './compat'
import type { Graph, QfNode } from './model'
import { edgeId } from './model'

const node = (id: string, typeId: string): QfNode => ({ id, type: 'qf', position: { x: 0, y: 0 }, data: { typeId, typeVersion: 1, params: {} } })
const index = indexCatalog(catalog)
const graph: Graph = {
  nodes: [node('t', 'core:trigger'), node('bars', 'core:bars'), node('fast', 'core:indicator'), node('x', 'core:crossover'), node('all', 'core:and')],
  edges: [{ id: edgeId('bars', 'frame', 'fast', 'frame'), source: 'bars', sourceHandle: 'frame', target: 'fast', targetHandle: 'frame' }],
}
const attempt = (source: string, sourceHandle: string, target: string, targetHandle: string) =>
  checkConnection(index, graph, { source, sourceHandle, target, targetHandle })

describe('connection rules', () => {
  it('accepts same-type and widening connections from the server table', () => {
    expect(attempt('fast', 'out', 'x', 'a')).toEqual({ ok: true })
    expect(attempt('x', 'out', 'all', 'conditions')).toEqual({ ok: true })
  })

  it('refuses a type mismatch and says why', () => {
    const verdict = attempt('bars', 'frame', 'x', 'a')
    expect(verdict.ok).toBe(false)
    if (!verdict.ok) {
      expect(verdict.reason).toContain('gives frame')
      expect(verdict.reason).toContain('takes series')
    }
  })

  it('follows the table exactly, direction included', () => {
    // bool_series -> series is a widening; series -> bool_series is not.
    expect(attempt('fast', 'out', 'all', 'conditions').ok).toBe(false)
  })

  it('refuses a second edge into a single input but not into a multiple one', () => {
    const busy: Graph = { ...graph, edges: [...graph.edges, { id: 'e', source: 'fast', sourceHandle: 'out', target: 'x', targetHandle: 'a' }] }
    const second = checkConnection(index, busy, { source: 'fast', sourceHandle: 'out', target: 'x', targetHandle: 'b' })
    expect(second.ok).toBe(true)
    const again = checkConnection(index, busy, { source: 'bars', sourceHandle: 'frame', target: 'fast', targetHandle: 'frame' })
    expect(again.ok).toBe(false)
  })

  it('refuses cycles and self-loops', () => {
    expect(attempt('fast', 'out', 'fast', 'frame').ok).toBe(false)
    const loop = checkConnection(index, graph, { source: 'fast', sourceHandle: 'out', target: 'bars', targetHandle: 'trigger' })
    expect(loop.ok).toBe(false)
  })

  it('refuses unknown ports', () => {
    const verdict = attempt('fast', 'nope', 'x', 'a')
    expect(verdict.ok).toBe(false)
  })
})

describe('palette', () => {
  it('groups by category in catalog order and filters by text', () => {
    expect(paletteGroups(catalog, '').map((g) => g.category)).toEqual(['trigger', 'data', 'logic'])
    const found = paletteGroups(catalog, 'cross')
    expect(found).toHaveLength(1)
    expect(found[0]?.types.map((t) => t.type_id)).toEqual(['core:crossover'])
  })
})
