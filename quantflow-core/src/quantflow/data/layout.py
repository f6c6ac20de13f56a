"""How a daily-bar file is laid out: column names, date format, price unit, and named presets.

| preset | files | columns | dates | prices |
|---|---|---|---|---|
| `quantflow` (default) | one per symbol, `<SYMBOL>.csv` | `date,open,high,low,close,volume` | ISO | VND |
| `vci` | one per symbol, `<SYMBOL>.csv` (vnstock/VCI) | same | ISO | thousand VND |
| `vci_long` | all symbols in one file | `symbol,date,open,…,volume` | ISO | thousand VND |
| `raw_vnd` | `<exchange>_<SYMBOL>.csv` (vuthanhdatt) | `,Date,High,Low,Open,Close,Volume,Adj Close` | dd/mm/yyyy | VND |
| `index` | long, `time,open,…,volume,symbol,name` | | ISO | index points |

A file is *long* (many symbols) when `columns.symbol` is set; otherwise its symbol comes from the
file name through `symbol_pattern` (a regex with a `symbol` group, matched against the name).
Extra columns (a row index, `Adj Close`, `name`) are ignored. Prices in `thousand_vnd` are
converted to whole VND exactly (26.85 -> 26,850); a value that is not whole VND is a problem, never
rounded. `points` (index levels) are kept as they are.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PriceUnit = Literal["vnd", "thousand_vnd", "points"]
PresetName = Literal["quantflow", "vci", "vci_long", "raw_vnd", "index"]

#: Multiplier from each unit to what `Bars` hold (VND; points stay points).
UNIT_SCALE: dict[str, float] = {"vnd": 1.0, "thousand_vnd": 1000.0, "points": 1.0}

_STEM = r"^(?P<symbol>[A-Za-z0-9]+)\.(?:csv|csv\.gz|parquet)$"


class ColumnMap(BaseModel):
    """The header name of each field. `symbol` set means a long file (one row per symbol-day)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: str = "date"
    open: str = "open"
    high: str = "high"
    low: str = "low"
    close: str = "close"
    volume: str = "volume"
    symbol: str | None = None

    def fields(self) -> dict[str, str]:
        """Field -> header name, for the fields present (symbol only when set)."""
        out = {f: getattr(self, f) for f in ("date", "open", "high", "low", "close", "volume")}
        if self.symbol is not None:
            out = {"symbol": self.symbol, **out}
        return out


class Layout(BaseModel):
    """Everything needed to read one file format."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: ColumnMap = ColumnMap()
    date_format: str = Field(
        default="%Y-%m-%d", description="strptime format of the date column ('%d/%m/%Y' for raw)."
    )
    price_unit: PriceUnit = "vnd"
    symbol_pattern: str = Field(
        default=_STEM,
        description="Regex with a 'symbol' group matched against a per-symbol file's name.",
    )


PRESETS: dict[str, Layout] = {
    "quantflow": Layout(),
    "vci": Layout(price_unit="thousand_vnd"),
    "vci_long": Layout(columns=ColumnMap(symbol="symbol"), price_unit="thousand_vnd"),
    "raw_vnd": Layout(
        columns=ColumnMap(
            date="Date", open="Open", high="High", low="Low", close="Close", volume="Volume"
        ),
        date_format="%d/%m/%Y",
        price_unit="vnd",
        symbol_pattern=r"^(?:[A-Za-z0-9]+_)?(?P<symbol>[A-Za-z0-9]+)\.(?:csv|csv\.gz|parquet)$",
    ),
    "index": Layout(columns=ColumnMap(date="time", symbol="symbol"), price_unit="points"),
}


def resolve_layout(data: Any) -> Any:
    """Fill `layout` from `preset` unless a layout is given explicitly (validator helper)."""
    if isinstance(data, dict) and data.get("layout") is None:
        preset = data.get("preset", "quantflow")
        if preset in PRESETS:
            data = {**data, "layout": PRESETS[preset]}
    return data


class LayoutMixin(BaseModel):
    """Config fields shared by sources that read files: a preset or an explicit layout."""

    preset: PresetName = Field(default="quantflow", description="Named layout; see the table.")
    layout: Layout | None = Field(
        default=None, description="Explicit layout; when set it overrides `preset`."
    )

    @model_validator(mode="before")
    @classmethod
    def _apply_preset(cls, data: Any) -> Any:
        return resolve_layout(data)

    @property
    def effective_layout(self) -> Layout:
        return self.layout or PRESETS[self.preset]
