"""A self-contained HTML report of a backtest: metrics, equity and drawdown charts as inline SVG
drawn here, and the trade list. No script, no CDN, no external file: it opens on an offline desk."""

from __future__ import annotations

from html import escape

from quantflow.backtest.results import BacktestResult

WIDTH, HEIGHT, PAD = 900, 220, 40


def _polyline(values: list[float], lo: float, hi: float, colour: str) -> str:
    span = (hi - lo) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    points = " ".join(f"{PAD + i * step:.1f},{PAD + (hi - v) / span * (HEIGHT - 2 * PAD):.1f}" for i, v in enumerate(values))
    return f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{points}"/>'


def _chart(title: str, values: list[float], colour: str, fmt: str) -> str:
    if not values:
        return ""
    lo, hi = min(values), max(values)
    axis = "".join(
        f'<text x="4" y="{y + 4}" font-size="10">{escape(format(v, fmt))}</text>'
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y}" y2="{y}" stroke="#ddd"/>'
        for v, y in ((hi, PAD), (lo, HEIGHT - PAD))
    )
    return (f'<h2>{escape(title)}</h2><svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'role="img" aria-label="{escape(title)}">{axis}{_polyline(values, lo, hi, colour)}</svg>')


def render_html(result: BacktestResult, title: str = "Backtest") -> str:
    equity = [float(p.equity) for p in result.equity]
    peak, drawdown = float("-inf"), []
    for value in equity:
        peak = max(peak, value)
        drawdown.append((value / peak - 1) * 100 if peak > 0 else 0.0)
    metrics = "".join(
        f"<tr><th>{escape(k.replace('_', ' '))}</th><td>{escape(_fmt(v))}</td></tr>"
        for k, v in result.metrics.model_dump().items()
    )
    trades = "".join(
        f"<tr><td>{escape(t.symbol)}</td><td>{t.entry_day}</td><td>{t.exit_day or 'open'}</td>"
        f"<td>{t.quantity:,}</td><td>{_fmt(t.pnl)}</td><td>{_fmt(t.return_pct)}</td></tr>"
        for t in result.trades
    )
    first, last = (result.equity[0].day, result.equity[-1].day) if result.equity else ("", "")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse}}
td,th{{padding:2px 10px;text-align:right;border-bottom:1px solid #eee}}th{{text-align:left}}</style></head>
<body><h1>{escape(title)}</h1><p>{escape(', '.join(result.symbols))} &middot; {first} to {last} &middot;
{len(result.orders)} orders, {len(result.fills)} fills ({escape(result.path.replace('_', '-'))} path). Money in VND.</p>
<table>{metrics}</table>
{_chart("Equity (VND)", equity, "#1f6feb", ",.0f")}
{_chart("Drawdown (%)", drawdown, "#d1242f", ".1f")}
<h2>Trades</h2><table><tr><th>symbol</th><th>entry</th><th>exit</th><th>shares</th><th>P&amp;L (VND)</th><th>return %</th></tr>{trades}</table>
</body></html>"""


def _fmt(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
