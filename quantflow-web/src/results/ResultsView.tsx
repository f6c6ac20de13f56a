// Results of the current run. Filled in by the backtest view once the server reports results.
import type { RunOut } from '../api/types'

export function ResultsView({ run }: { run: RunOut | null }) {
  if (!run) return <p className="muted">No run yet.</p>
  return (
    <div className="results">
      <pre>{JSON.stringify(run.summary, null, 2)}</pre>
    </div>
  )
}
