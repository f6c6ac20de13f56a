// One time series drawn with lightweight-charts (bundled; no network).
import { AreaSeries, createChart } from 'lightweight-charts'
import { useEffect, useRef } from 'react'
import type { Point } from './series'

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 })

interface Props {
  data: Point[]
  color: string
  height?: number
  label: string
}

export function SeriesChart({ data, color, height = 200, label }: Props) {
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (!box.current) return
    const chart = createChart(box.current, {
      height,
      autoSize: true,
      layout: { background: { color: '#ffffff' }, textColor: '#334155', fontSize: 11 },
      grid: { vertLines: { color: '#f1f5f9' }, horzLines: { color: '#f1f5f9' } },
      rightPriceScale: { borderColor: '#e2e8f0' },
      timeScale: { borderColor: '#e2e8f0' },
      localization: { priceFormatter: (value: number) => (Math.abs(value) >= 1000 ? compact.format(value) : value.toFixed(2)) },
    })
    const series = chart.addSeries(AreaSeries, { lineColor: color, topColor: `${color}55`, bottomColor: `${color}08`, lineWidth: 2 })
    series.setData(data)
    chart.timeScale().fitContent()
    return () => chart.remove()
  }, [data, color, height])
  return (
    <figure className="chart">
      <figcaption>{label}</figcaption>
      <div ref={box} style={{ height }} data-testid={`chart-${label.toLowerCase()}`} />
    </figure>
  )
}
