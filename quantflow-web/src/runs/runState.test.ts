import { describe, expect, it } from 'vitest'
import { applyEvent, applyEvents, describeEvent, emptyRun, parseFrame } from './runState'

describe('run events -> node status', () => {
  it('follows a manual run node by node, ignoring replayed duplicates', () => {
    let view = emptyRun(['a', 'b', 'c'])
    const events = [
      { seq: 0, event: 'run_started' },
      { seq: 1, event: 'node_started', node_id: 'a' },
      { seq: 2, event: 'node_finished', node_id: 'a', duration_ms: 1 },
      { seq: 3, event: 'node_started', node_id: 'b' },
      { seq: 4, event: 'node_failed', node_id: 'b', error_type: 'ValueError', message: 'bad' },
      { seq: 5, event: 'node_skipped', node_id: 'c', reason: 'upstream failed' },
      { seq: 5, event: 'node_skipped', node_id: 'c', reason: 'upstream failed' },
      { seq: 6, event: 'run_finished', status: 'failed' },
    ]
    for (const e of events) view = applyEvent(view, e)
    expect(view.status).toBe('failed')
    expect(view.nodes).toEqual({
      a: { state: 'succeeded', durationMs: 1 },
      b: { state: 'failed', message: 'ValueError: bad', durationMs: undefined },
      c: { state: 'skipped', message: 'upstream failed' },
    })
    expect(view.log).toHaveLength(7)
  })

  it('shows a backtest running every node, then settled', () => {
    let view = emptyRun(['a', 'b'])
    view = applyEvent(view, { seq: 0, event: 'run_started' })
    view = applyEvent(view, { seq: 1, event: 'progress', sessions_done: 10, sessions: 20 })
    expect(view.nodes.a?.state).toBe('running')
    view = applyEvent(view, { seq: 2, event: 'run_finished', status: 'succeeded' })
    expect(Object.values(view.nodes).map((n) => n.state)).toEqual(['succeeded', 'succeeded'])
    expect(describeEvent({ event: 'progress', sessions_done: 10, sessions: 20 })).toBe('10 / 20 sessions')
  })

  it('folds a websocket frame of many events like the same events one by one', () => {
    const frame = JSON.stringify([
      { seq: 0, event: 'run_started' },
      { seq: 1, event: 'node_started', node_id: 'a' },
      { seq: 2, event: 'node_finished', node_id: 'a', duration_ms: 2 },
    ])
    const events = parseFrame(frame)
    let oneByOne = emptyRun(['a'])
    for (const e of events) oneByOne = applyEvent(oneByOne, e)
    const batched = applyEvents(emptyRun(['a']), events)
    expect(batched).toEqual(oneByOne)
    expect(batched.lastSeq).toBe(2)
    // A frame overlapping what was already applied adds only the new events.
    const more = applyEvents(batched, parseFrame(JSON.stringify([{ seq: 2, event: 'node_finished', node_id: 'a' }, { seq: 3, event: 'run_finished', status: 'succeeded' }])))
    expect(more.log.map((e) => e.seq)).toEqual([0, 1, 2, 3])
    expect(more.status).toBe('succeeded')
    expect(parseFrame('{"seq": 0}')).toEqual([])
  })
})
