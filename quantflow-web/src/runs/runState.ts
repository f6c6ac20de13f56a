// Folding run events into per-node status and a log: a pure reducer, replay-safe.
import type { RunEvent } from '../api/types'
import type { NodeStatus } from '../editor/decorations'

export interface RunView {
  status: string
  nodes: Record<string, NodeStatus>
  log: RunEvent[]
  lastSeq: number
}

export const emptyRun = (nodeIds: string[]): RunView => ({
  status: 'queued',
  nodes: Object.fromEntries(nodeIds.map((id) => [id, { state: 'queued' }])),
  log: [],
  lastSeq: -1,
})

export function applyEvent(view: RunView, event: RunEvent): RunView {
  if (typeof event.seq === 'number' && event.seq <= view.lastSeq) return view // a replayed duplicate
  const next: RunView = { ...view, log: [...view.log, event], lastSeq: event.seq ?? view.lastSeq }
  const id = event.node_id
  switch (event.event) {
    case 'run_started':
      return { ...next, status: 'running' }
    case 'node_started':
      return id ? { ...next, nodes: { ...view.nodes, [id]: { state: 'running' } } } : next
    case 'node_finished':
      return id ? { ...next, nodes: { ...view.nodes, [id]: { state: 'succeeded', durationMs: event.duration_ms } } } : next
    case 'node_failed':
      return id
        ? { ...next, nodes: { ...view.nodes, [id]: { state: 'failed', message: `${event.error_type ?? 'Error'}: ${event.message ?? ''}`, durationMs: event.duration_ms } } }
        : next
    case 'node_skipped':
      return id ? { ...next, nodes: { ...view.nodes, [id]: { state: 'skipped', message: event.reason } } } : next
    case 'progress':
      // Backtests run every node on every bar and report progress, not node events.
      return { ...next, nodes: mapStates(view.nodes, 'queued', 'running') }
    case 'run_finished': {
      const status = event.status ?? 'finished'
      const settled = status === 'succeeded' ? 'succeeded' : 'skipped'
      return { ...next, status, nodes: mapStates(mapStates(view.nodes, 'running', settled), 'queued', 'skipped') }
    }
    default:
      return next
  }
}

function mapStates(nodes: Record<string, NodeStatus>, from: NodeStatus['state'], to: NodeStatus['state']): Record<string, NodeStatus> {
  const out: Record<string, NodeStatus> = {}
  for (const [id, status] of Object.entries(nodes)) out[id] = status.state === from ? { ...status, state: to } : status
  return out
}

/** One line of the run log. */
export function describeEvent(e: RunEvent): string {
  switch (e.event) {
    case 'log':
      return `[${e.level ?? 'info'}] ${e.message ?? ''}`
    case 'node_failed':
      return `${e.node_id} failed: ${e.error_type ?? ''} ${e.message ?? ''}`
    case 'node_skipped':
      return `${e.node_id} skipped: ${e.reason ?? ''}`
    case 'node_finished':
      return `${e.node_id} finished in ${Number(e.duration_ms ?? 0).toFixed(1)} ms`
    case 'node_started':
      return `${e.node_id} started`
    case 'run_finished':
      return e.duration_ms === undefined ? `run ${e.status}` : `run ${e.status} in ${Number(e.duration_ms).toFixed(0)} ms`
    case 'progress':
      return `${String(e.sessions_done)} / ${String(e.sessions)} sessions`
    case 'order_placed':
      return `order ${String(e.side)} ${String(e.quantity)} ${String(e.symbol)} (${String(e.order_type)}) ${String(e.status)}`
    case 'order_filled':
      return `fill ${String(e.side)} ${String(e.quantity)} ${String(e.symbol)} @ ${String(e.price)} on ${String(e.day)}`
    default:
      return e.event
  }
}
