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

/** One run-websocket message: a JSON array of consecutive events (the run so far, then new ones). */
export function parseFrame(data: string): RunEvent[] {
  const parsed: unknown = JSON.parse(data)
  return Array.isArray(parsed) ? (parsed as RunEvent[]) : []
}

export const applyEvent = (view: RunView, event: RunEvent): RunView => applyEvents(view, [event])

/** Folds a batch of events in; the log is copied once per batch, not once per event. */
export function applyEvents(view: RunView, events: RunEvent[]): RunView {
  let { status, nodes, lastSeq } = view
  const added: RunEvent[] = []
  for (const event of events) {
    if (typeof event.seq === 'number' && event.seq <= lastSeq) continue // a replayed duplicate
    added.push(event)
    lastSeq = event.seq ?? lastSeq
    ;({ status, nodes } = settle(status, nodes, event))
  }
  return added.length ? { status, nodes, lastSeq, log: [...view.log, ...added] } : view
}

type Settled = Pick<RunView, 'status' | 'nodes'>

function settle(status: string, nodes: Record<string, NodeStatus>, event: RunEvent): Settled {
  const id = event.node_id
  switch (event.event) {
    case 'run_started':
      return { status: 'running', nodes }
    case 'node_started':
      return { status, nodes: id ? { ...nodes, [id]: { state: 'running' } } : nodes }
    case 'node_finished':
      return { status, nodes: id ? { ...nodes, [id]: { state: 'succeeded', durationMs: event.duration_ms } } : nodes }
    case 'node_failed':
      return {
        status,
        nodes: id
          ? { ...nodes, [id]: { state: 'failed', message: `${event.error_type ?? 'Error'}: ${event.message ?? ''}`, durationMs: event.duration_ms } }
          : nodes,
      }
    case 'node_skipped':
      return { status, nodes: id ? { ...nodes, [id]: { state: 'skipped', message: event.reason } } : nodes }
    case 'progress':
      // Backtests run every node on every bar and report progress, not node events.
      return { status, nodes: mapStates(nodes, 'queued', 'running') }
    case 'run_finished': {
      const final = event.status ?? 'finished'
      const settled = final === 'succeeded' ? 'succeeded' : 'skipped'
      return { status: final, nodes: mapStates(mapStates(nodes, 'running', settled), 'queued', 'skipped') }
    }
    default:
      return { status, nodes }
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
