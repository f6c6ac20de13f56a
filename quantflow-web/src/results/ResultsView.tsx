// A backtest's results: metrics, equity and drawdown charts, trades and orders.
import { useEffect, useMemo, useState } from 'react'
import { api } from '../api/endpoints'
import type { RunOut } from '../api/types'
import { SeriesChart } from './SeriesChart'
import { drawdownSeries, equitySeries, formatMetric, metricLabel } from './series'
import type { BacktestResult } from './types'

const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'interrupted'])

export function ResultsView({ run }: { run: RunOut | null }) {
  const [result, setResult] = useState<BacktestResult | null>(null)
  const [error, setError] = useState<string | null>(null)
  const ready = run !== null && run.mode !== 'manual' && run.status === 'succeeded'
  useEffect(() => {
    setResult(null)
    if (!run || !ready) return
    api
      .runResult(run.id)
      .then((r) => setResult(r as unknown as BacktestResult))
      .catch((e: Error) => setError(e.message))
  }, [run, ready])
  if (!run) return <p className="muted">No run yet.</p>
  if (run.mode === 'manual') return <p className="muted">A manual run has no results view; see its log. Run a backtest for results.</p>
  if (!FINISHED.has(run.status)) return <p className="muted">The {run.mode} is {run.status}…</p>
  if (run.status !== 'succeeded') return <p className="error-text">The {run.mode} {run.status}{run.error ? `: ${run.error}` : ''}.</p>
  if (error) return <p className="error-text">{error}</p>
  if (!result) return <p className="muted">Loading results…</p>
  return <Results result={result} synthetic={Boolean(run.summary?.synthetic)} />
}

function Results({ result, synthetic }: { result: BacktestResult; synthetic: boolean }) {
  const equity = useMemo(() => equitySeries(result.equity), [result])
  const drawdown = useMemo(() => drawdownSeries(result.equity), [result])
  return (
    <div className="results" data-testid="results">
      {synthetic && <div className="problem warning">Synthetic data: these are not real prices.</div>}
      <div className="metrics">
        {Object.entries(result.metrics).map(([name, value]) => (
          <div className="metric" key={name} data-metric={name}>
            <span>{metricLabel(name)}</span>
            <strong>{formatMetric(name, value)}</strong>
          </div>
        ))}
      </div>
      <div className="charts">
        <SeriesChart data={equity} color="#2563eb" label="Equity" />
        <SeriesChart data={drawdown} color="#dc2626" label="Drawdown" />
      </div>
      <div className="tables">
        <Table
          title={`Trades (${result.trades.length})`}
          head={['Symbol', 'Entry', 'Exit', 'Qty', 'P&L (VND)', 'Return']}
          rows={result.trades.map((t) => [t.symbol, t.entry_day, t.exit_day ?? 'open', t.quantity, formatMetric('pnl', t.pnl), formatMetric('return_pct', t.return_pct)])}
          testId="trades"
        />
        <Table
          title={`Orders (${result.orders.length})`}
          head={['Created', 'Symbol', 'Side', 'Type', 'Qty', 'Filled', 'Status']}
          rows={result.orders.map((o) => [o.created_at.slice(0, 16).replace('T', ' '), o.symbol, o.side, o.order_type, o.quantity, o.filled_quantity, o.reject_code ? `${o.status} (${o.reject_code})` : o.status])}
          testId="orders"
        />
      </div>
    </div>
  )
}

function Table({ title, head, rows, testId }: { title: string; head: string[]; rows: (string | number)[][]; testId: string }) {
  return (
    <section className="result-table" data-testid={testId}>
      <h4>{title}</h4>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>{head.map((h) => <th key={h}>{h}</th>)}</tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>{row.map((cell, j) => <td key={j}>{cell}</td>)}</tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}
