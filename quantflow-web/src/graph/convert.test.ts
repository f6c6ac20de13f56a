import { describe, expect, it } from 'vitest'
import type { WorkflowDocument } from '../api/types'
import { copySelection, pasteInto } from './clipboard'
import { graphFromWorkflow, workflowFromGraph } from './convert'
import { History } from './history'
import { layeredLayout } from './layout'

const doc: WorkflowDocument = {
  schema_version: 1,
  id: 'sma',
  name: 'SMA',
  description: 'kept as is',
  tags: ['kept'],
  nodes: [
    { id: 'bars', type: 'core:bars', type_version: 1, params: { symbols: ['FPT'], lookback: 300 }, position: { x: 0, y: 0 } },
    { id: 'fast', type: 'core:indicator', type_version: 2, params: { args: [10] }, position: { x: 200, y: -50 }, title: 'Fast', note: 'x' },
    { id: 'slow', type: 'core:indicator', type_version: 2, params: { args: [30] }, position: { x: 200, y: 50 } },
  ],
  edges: [
    { source: 'bars', source_port: 'frame', target: 'fast', target_port: 'frame' },
    { source: 'bars', source_port: 'frame', target: 'slow', target_port: 'frame' },
  ],
}

describe('graph <-> workflow JSON', () => {
  it('round-trips a document exactly, unknown keys included', () => {
    expect(workflowFromGraph(doc, graphFromWorkflow(doc))).toEqual(doc)
  })

  it('maps ports to handles and back', () => {
    const graph = graphFromWorkflow(doc)
    expect(graph.edges[0]).toMatchObject({ source: 'bars', sourceHandle: 'frame', target: 'fast', targetHandle: 'frame' })
    expect(graph.nodes[1]?.data).toMatchObject({ typeId: 'core:indicator', typeVersion: 2, title: 'Fast', extra: { note: 'x' } })
  })

  it('rounds positions when saving', () => {
    const graph = graphFromWorkflow(doc)
    graph.nodes[0] = { ...graph.nodes[0]!, position: { x: 10.6, y: -3.2 } }
    expect(workflowFromGraph(doc, graph).nodes[0]?.position).toEqual({ x: 11, y: -3 })
  })
})

describe('clipboard, history, layout', () => {
  it('pastes a selection with fresh ids and its inner edges', () => {
    const graph = graphFromWorkflow(doc)
    graph.nodes = graph.nodes.map((n) => ({ ...n, selected: n.id !== 'slow' }))
    const pasted = pasteInto(graph, copySelection(graph))
    expect(pasted.nodes.map((n) => n.id)).toEqual(['bars', 'fast', 'slow', 'bars_2', 'indicator'])
    expect(pasted.edges.at(-1)).toMatchObject({ source: 'bars_2', target: 'indicator' })
    expect(pasted.nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(['bars_2', 'indicator'])
  })

  it('undoes and redoes', () => {
    const h = new History<number>()
    h.push(1)
    h.push(2)
    expect(h.undo(3)).toBe(2)
    expect(h.undo(2)).toBe(1)
    expect(h.redo(1)).toBe(2)
    h.push(5)
    expect(h.canRedo).toBe(false)
  })

  it('lays out left to right by dependency', () => {
    const positions = layeredLayout(graphFromWorkflow(doc))
    expect(positions.bars!.x).toBeLessThan(positions.fast!.x)
    expect(positions.fast!.x).toBe(positions.slow!.x)
    expect(positions.fast!.y).not.toBe(positions.slow!.y)
  })
})
