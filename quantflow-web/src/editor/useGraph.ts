// The editable graph: React Flow's change stream plus undo/redo, copy/paste, layout and params.
import { applyEdgeChanges, applyNodeChanges } from '@xyflow/react'
import type { EdgeChange, NodeChange } from '@xyflow/react'
import { useCallback, useMemo, useRef, useState } from 'react'
import type { JsonObject, NodeTypeInfo } from '../api/types'
import { copySelection, pasteInto } from '../graph/clipboard'
import { layeredLayout } from '../graph/layout'
import type { Graph, QfEdge, QfNode } from '../graph/model'
import { edgeId, newNodeId } from '../graph/model'
import { History } from '../graph/history'

export interface GraphApi {
  graph: Graph
  version: number
  onNodesChange: (changes: NodeChange<QfNode>[]) => void
  onEdgesChange: (changes: EdgeChange<QfEdge>[]) => void
  beginDrag: () => void
  endDrag: () => void
  addNode: (spec: NodeTypeInfo, position: { x: number; y: number }) => string
  connect: (source: string, sourcePort: string, target: string, targetPort: string) => void
  setParams: (nodeId: string, params: JsonObject) => void
  deleteSelected: () => void
  copy: () => void
  cut: () => void
  paste: () => void
  selectAll: () => void
  undo: () => void
  redo: () => void
  layout: () => void
  reset: (graph: Graph) => void
  canUndo: boolean
  canRedo: boolean
}

const stripSelection = (g: Graph): Graph => ({
  nodes: g.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
  edges: g.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
})

export function useGraph(initial: Graph): GraphApi {
  const [graph, setGraph] = useState<Graph>(initial)
  const [version, setVersion] = useState(0) // bumps on every edit that changes the document
  const current = useRef(graph)
  current.current = graph
  const history = useRef(new History<Graph>())
  const clipboard = useRef<Graph | null>(null)
  const dragStart = useRef<Graph | null>(null)

  const commit = useCallback((next: Graph) => {
    history.current.push(current.current)
    current.current = next
    setGraph(next)
    setVersion((v) => v + 1)
  }, [])

  const onNodesChange = useCallback(
    (changes: NodeChange<QfNode>[]) => {
      const removes = changes.some((c) => c.type === 'remove' || c.type === 'add')
      const next = { ...current.current, nodes: applyNodeChanges(changes, current.current.nodes) }
      if (removes) return commit(next)
      current.current = next
      setGraph(next)
    },
    [commit],
  )
  const onEdgesChange = useCallback(
    (changes: EdgeChange<QfEdge>[]) => {
      const removes = changes.some((c) => c.type === 'remove' || c.type === 'add')
      const next = { ...current.current, edges: applyEdgeChanges(changes, current.current.edges) }
      if (removes) return commit(next)
      current.current = next
      setGraph(next)
    },
    [commit],
  )

  const api = useMemo(() => {
    const update = (fn: (g: Graph) => Graph) => commit(fn(current.current))
    return {
      beginDrag: () => {
        dragStart.current = current.current
      },
      endDrag: () => {
        if (!dragStart.current) return
        history.current.push(dragStart.current)
        dragStart.current = null
        setVersion((v) => v + 1)
      },
      addNode: (spec: NodeTypeInfo, position: { x: number; y: number }) => {
        const id = newNodeId(spec.type_id, current.current.nodes.map((n) => n.id))
        const node: QfNode = { id, type: 'qf', position, selected: true, data: { typeId: spec.type_id, typeVersion: spec.version, params: {} } }
        update((g) => ({ nodes: [...stripSelection(g).nodes, node], edges: g.edges }))
        return id
      },
      connect: (source: string, sourcePort: string, target: string, targetPort: string) => {
        const edge: QfEdge = { id: edgeId(source, sourcePort, target, targetPort), source, sourceHandle: sourcePort, target, targetHandle: targetPort }
        update((g) => ({ ...g, edges: [...g.edges, edge] }))
      },
      setParams: (nodeId: string, params: JsonObject) =>
        update((g) => ({ ...g, nodes: g.nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, params } } : n)) })),
      deleteSelected: () => {
        const g = current.current
        const gone = new Set(g.nodes.filter((n) => n.selected).map((n) => n.id))
        const edges = g.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target))
        if (!gone.size && edges.length === g.edges.length) return
        commit({ nodes: g.nodes.filter((n) => !gone.has(n.id)), edges })
      },
      copy: () => {
        clipboard.current = copySelection(current.current)
      },
      cut: () => {
        clipboard.current = copySelection(current.current)
        const gone = new Set(clipboard.current.nodes.map((n) => n.id))
        update((g) => ({ nodes: g.nodes.filter((n) => !gone.has(n.id)), edges: g.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)) }))
      },
      paste: () => {
        if (clipboard.current?.nodes.length) update((g) => pasteInto(g, clipboard.current as Graph))
      },
      selectAll: () => {
        const g = current.current
        const next = { nodes: g.nodes.map((n) => ({ ...n, selected: true })), edges: g.edges }
        current.current = next
        setGraph(next)
      },
      undo: () => {
        const previous = history.current.undo(current.current)
        if (previous) {
          current.current = previous
          setGraph(previous)
          setVersion((v) => v + 1)
        }
      },
      redo: () => {
        const next = history.current.redo(current.current)
        if (next) {
          current.current = next
          setGraph(next)
          setVersion((v) => v + 1)
        }
      },
      layout: () => {
        const positions = layeredLayout(current.current)
        update((g) => ({ ...g, nodes: g.nodes.map((n) => ({ ...n, position: positions[n.id] ?? n.position })) }))
      },
      reset: (next: Graph) => {
        history.current.clear()
        current.current = next
        setGraph(next)
        setVersion(0)
      },
    }
  }, [commit])

  return {
    graph,
    version,
    onNodesChange,
    onEdgesChange,
    ...api,
    canUndo: history.current.canUndo,
    canRedo: history.current.canRedo,
  }
}
