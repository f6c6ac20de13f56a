// The server's BacktestResult JSON (GET /api/runs/{id}/result).

export interface EquityPoint {
  day: string
  cash: number
  equity: number
}

export interface OrderRecord {
  client_order_id: string
  symbol: string
  side: 'buy' | 'sell'
  order_type: string
  quantity: number
  price: number | null
  created_at: string
  status: string
  filled_quantity: number
  filled_notional: number
  fees: number
  taxes: number
  reject_code?: string | null
}

export interface Trade {
  symbol: string
  entry_day: string
  exit_day: string | null
  quantity: number
  cost: number
  proceeds: number
  pnl: number | null
  return_pct: number | null
}

export interface BacktestResult {
  path: string
  symbols: string[]
  orders: OrderRecord[]
  trades: Trade[]
  equity: EquityPoint[]
  metrics: Record<string, number | null>
}
