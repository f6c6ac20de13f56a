// Chart series derived from a backtest's equity curve.
import type { EquityPoint } from './types'

export interface Point {
  time: string
  value: number
}

export function equitySeries(points: EquityPoint[]): Point[] {
  return points.map((p) => ({ time: p.day, value: p.equity }))
}

/** Drawdown in % below the running peak (0 at a new high, negative below it). */
export function drawdownSeries(points: EquityPoint[]): Point[] {
  let peak = -Infinity
  return points.map((p) => {
    peak = Math.max(peak, p.equity)
    return { time: p.day, value: peak > 0 ? ((p.equity - peak) / peak) * 100 : 0 }
  })
}

const vnd = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/** A metric value as a person reads it: % for *_pct names, VND grouping for amounts. */
export function formatMetric(name: string, value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  if (name.endsWith('_pct')) return `${value.toFixed(2)} %`
  if (Number.isInteger(value)) return vnd.format(value)
  return value.toFixed(3)
}

export function metricLabel(name: string): string {
  const words = name.replace(/_pct$/, ' %').replace(/_/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}
