// The node editor surface: React Flow wired to the graph, the catalog's connection rules,
// palette drops, and a tooltip explaining any refused connection.
import { Background, Controls, MiniMap, ReactFlow, useConnection, useReactFlow } from '@xyflow/react'
import type { Connection, FinalConnectionState, IsValidConnection, NodeTypes } from '@xyflow/react'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { DragEvent } from 'react'
import type { CatalogIndex } from '../graph/catalog'
import { checkConnection } from '../graph/compat'
import type { QfEdge, QfNode } from '../graph/model'
import { NodeCard } from './NodeCard'
import { PALETTE_MIME } from './Palette'
import { verdictBetween } from './refusal'
import type { GraphApi } from './useGraph'

const nodeTypes: NodeTypes = { qf: NodeCard }

interface Props {
  index: CatalogIndex
  g: GraphApi
  ghosts: QfNode[]
}

interface Refusal {
  reason: string
  x: number
  y: number
}

export function Canvas({ index, g, ghosts }: Props) {
  const flow = useReactFlow<QfNode, QfEdge>()
  const wrapper = useRef<HTMLDivElement>(null)
  const [refusal, setRefusal] = useState<Refusal | null>(null)
  const graphRef = useRef(g.graph)
  graphRef.current = g.graph
  // Fit a loaded graph to the screen; an empty one starts at 100 % (fitting its first node would zoom far in).
  const initiallyFilled = useRef(g.graph.nodes.length > 0)

  useEffect(() => {
    if (!refusal) return
    const timer = window.setTimeout(() => setRefusal(null), 5000)
    return () => window.clearTimeout(timer)
  }, [refusal])

  const isValidConnection: IsValidConnection<QfEdge> = useCallback(
    (c) =>
      checkConnection(index, graphRef.current, {
        source: c.source,
        sourceHandle: c.sourceHandle ?? '',
        target: c.target,
        targetHandle: c.targetHandle ?? '',
      }).ok,
    [index],
  )
  const onConnect = useCallback(
    (c: Connection) => {
      const attempt = { source: c.source, sourceHandle: c.sourceHandle ?? '', target: c.target, targetHandle: c.targetHandle ?? '' }
      if (checkConnection(index, graphRef.current, attempt).ok) g.connect(c.source, attempt.sourceHandle, c.target, attempt.targetHandle)
    },
    [g, index],
  )
  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (!state.fromHandle || !state.toHandle || state.isValid) return
      const verdict = verdictBetween(index, graphRef.current, state.fromHandle, state.toHandle)
      if (verdict.ok) return
      const point = 'clientX' in event ? event : event.changedTouches[0]
      const box = wrapper.current?.getBoundingClientRect()
      setRefusal({ reason: verdict.reason, x: (point?.clientX ?? 0) - (box?.left ?? 0), y: (point?.clientY ?? 0) - (box?.top ?? 0) })
    },
    [index],
  )

  const onDragOver = (event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_MIME)) return
    event.preventDefault()
    event.dataTransfer.dropEffect = 'copy'
  }
  const onDrop = (event: DragEvent) => {
    const typeId = event.dataTransfer.getData(PALETTE_MIME)
    const spec = index.byType.get(typeId)
    if (!spec) return
    event.preventDefault()
    g.addNode(spec, flow.screenToFlowPosition({ x: event.clientX - 90, y: event.clientY - 20 }))
  }

  const nodes = useMemo(() => (ghosts.length ? [...g.graph.nodes, ...ghosts] : g.graph.nodes), [g.graph.nodes, ghosts])
  return (
    <div className="canvas" ref={wrapper} onDragOver={onDragOver} onDrop={onDrop} onMouseDown={() => setRefusal(null)} data-testid="canvas">
      <ReactFlow<QfNode, QfEdge>
        nodes={nodes}
        edges={g.graph.edges}
        nodeTypes={nodeTypes}
        onNodesChange={g.onNodesChange}
        onEdgesChange={g.onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onNodeDragStart={g.beginDrag}
        onNodeDragStop={g.endDrag}
        onSelectionDragStart={g.beginDrag}
        onSelectionDragStop={g.endDrag}
        deleteKeyCode={null}
        multiSelectionKeyCode={['Meta', 'Control', 'Shift']}
        minZoom={0.05}
        maxZoom={2.5}
        onlyRenderVisibleElements
        fitView={initiallyFilled.current}
        defaultViewport={{ x: 40, y: 40, zoom: 1 }}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable nodeStrokeWidth={3} />
        <ConnectionHint index={index} graph={g.graph} />
      </ReactFlow>
      {refusal && (
        <div className="refusal-tooltip" role="alert" style={{ left: refusal.x + 12, top: refusal.y + 12 }}>
          <strong>Refused:</strong> {refusal.reason}
        </div>
      )}
    </div>
  )
}

/** While a connection is dragged over a handle that would be refused, say why next to the pointer. */
function ConnectionHint({ index, graph }: { index: CatalogIndex; graph: GraphApi['graph'] }) {
  const connection = useConnection()
  const flow = useReactFlow()
  if (!connection.inProgress || !connection.toHandle || connection.isValid !== false) return null
  const verdict = verdictBetween(index, graph, connection.fromHandle, connection.toHandle)
  if (verdict.ok) return null
  const at = flow.flowToScreenPosition(connection.to)
  return (
    <div className="connection-hint" style={{ position: 'fixed', left: at.x + 14, top: at.y + 14 }}>
      {verdict.reason}
    </div>
  )
}
