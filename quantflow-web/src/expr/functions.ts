// The expression functions, fetched once per page load.
import { api } from '../api/endpoints'
import type { ExprFunction } from '../api/types'

let cached: Promise<ExprFunction[]> | null = null

export function loadFunctions(): Promise<ExprFunction[]> {
  cached ??= api.functions().catch(() => {
    cached = null
    return []
  })
  return cached
}
