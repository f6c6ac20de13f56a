import { useEffect, useRef } from 'react'
import type { RunOut } from '../api/types'
import type { RunView } from './runState'
import { describeEvent } from './runState'

export function RunLog({ run, view, error }: { run: RunOut | null; view: RunView | null; error: string | null }) {
  const end = useRef<HTMLLIElement>(null)
  const count = view?.log.length ?? 0
  useEffect(() => {
    void end.current?.scrollIntoView({ block: 'nearest' }) // returns a Promise in newer browsers
  }, [count])
  if (error) return <div className="error-text" role="alert">{error}</div>
  if (!run || !view) return <p className="muted">No run yet. Press Run to start one.</p>
  return (
    <div className="run-log" data-run-status={run.status === 'queued' || run.status === 'running' ? view.status : run.status}>
      <div className="run-head">
        Run <code>{run.id.slice(0, 8)}</code> · {run.mode} · revision {run.revision} · <strong className={`run-status ${view.status}`}>{view.status}</strong>
        {run.error && <span className="error-text"> — {run.error}</span>}
      </div>
      <ol>
        {view.log.map((e, i) => (
          <li key={i} className={`log-${e.event} ${e.level ?? ''}`}>
            <time>{e.time ? new Date(e.time * 1000).toLocaleTimeString() : ''}</time> {describeEvent(e)}
          </li>
        ))}
        <li ref={end} />
      </ol>
    </div>
  )
}
