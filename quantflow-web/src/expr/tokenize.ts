// A forgiving tokenizer for highlighting: it never fails, unknown characters become 'error' tokens.
// It mirrors the expression language's lexer (names, numbers with '_', quoted strings, operators).

export type TokenKind = 'space' | 'number' | 'string' | 'function' | 'name' | 'keyword' | 'operator' | 'paren' | 'error'

export interface Token {
  kind: TokenKind
  text: string
  start: number
}

const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false'])
const OPERATORS = ['**', '->', '<=', '>=', '==', '!=', '+', '-', '*', '/', '%', '<', '>', ',', '=']
const RULES: [TokenKind, RegExp][] = [
  ['space', /^[ \t\r\n]+/],
  ['number', /^[0-9](?:_?[0-9])*(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9]+)?/],
  ['name', /^[A-Za-z_][A-Za-z0-9_]*/],
  ['string', /^(?:'[^'\n]*'?|"[^"\n]*"?)/],
  ['paren', /^[()]/],
]

export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let pos = 0
  while (pos < text.length) {
    const rest = text.slice(pos)
    let matched: Token | null = null
    for (const [kind, pattern] of RULES) {
      const m = pattern.exec(rest)
      if (m) {
        matched = { kind, text: m[0], start: pos }
        break
      }
    }
    if (!matched) {
      const op = OPERATORS.find((o) => rest.startsWith(o))
      matched = { kind: op ? 'operator' : 'error', text: op ?? rest[0] ?? '', start: pos }
    }
    if (matched.kind === 'name') matched.kind = classifyName(text, pos + matched.text.length, matched.text)
    tokens.push(matched)
    pos += matched.text.length
  }
  return tokens
}

function classifyName(text: string, end: number, name: string): TokenKind {
  if (KEYWORDS.has(name)) return 'keyword'
  return /^\s*\(/.test(text.slice(end)) ? 'function' : 'name'
}

/** The identifier being typed at `cursor` (its start and text), or null. */
export function wordAt(text: string, cursor: number): { start: number; word: string } | null {
  let start = cursor
  while (start > 0 && /[A-Za-z0-9_]/.test(text[start - 1] ?? '')) start -= 1
  const word = text.slice(start, cursor)
  if (!word || !/^[A-Za-z_]/.test(word)) return null
  return { start, word }
}

/** Offset in `text` of a 1-based (line, column). */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0
  for (let l = 1; l < line; l += 1) {
    const next = text.indexOf('\n', offset)
    if (next < 0) return text.length
    offset = next + 1
  }
  return Math.min(text.length, offset + column - 1)
}
