import { describe, expect, it } from 'vitest'
import { drawdownSeries, equitySeries, formatMetric, metricLabel } from './series'

const curve = [
  { day: '2024-01-02', cash: 0, equity: 100 },
  { day: '2024-01-03', cash: 0, equity: 120 },
  { day: '2024-01-04', cash: 0, equity: 90 },
  { day: '2024-01-05', cash: 0, equity: 130 },
]

describe('result series', () => {
  it('charts equity by day', () => {
    expect(equitySeries(curve).map((p) => p.value)).toEqual([100, 120, 90, 130])
  })

  it('computes drawdown below the running peak', () => {
    expect(drawdownSeries(curve).map((p) => p.value)).toEqual([0, 0, -25, 0])
  })

  it('formats metrics for people', () => {
    expect(formatMetric('total_return_pct', 12.3456)).toBe('12.35 %')
    expect(formatMetric('end_equity', 1234567)).toBe('1,234,567')
    expect(formatMetric('sharpe', null)).toBe('—')
    expect(metricLabel('max_drawdown_pct')).toBe('Max drawdown %')
  })
})
