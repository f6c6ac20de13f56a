// Autocomplete candidates: the server's expression functions plus the names a formula may use.
import type { ExprFunction } from '../api/types'

export interface Completion {
  label: string
  insert: string
  detail: string
  kind: 'function' | 'input'
}

export function completionsFor(word: string, functions: ExprFunction[], names: Record<string, string>): Completion[] {
  const lower = word.toLowerCase()
  const fromNames: Completion[] = Object.entries(names).map(([name, kind]) => ({
    label: name,
    insert: name,
    detail: kind,
    kind: 'input',
  }))
  const fromFunctions: Completion[] = functions.map((f) => ({
    label: f.name,
    insert: `${f.name}(`,
    detail: `${f.signature} — ${f.doc}`,
    kind: 'function',
  }))
  return [...fromNames, ...fromFunctions]
    .filter((c) => c.label.toLowerCase().startsWith(lower) && c.label !== word)
    .slice(0, 12)
}
