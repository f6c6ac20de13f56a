// A formula editor: a transparent textarea over a highlighted copy of its text, with autocomplete
// of functions and inputs, and the server's first diagnostic underlined where it points.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import type { KeyboardEvent, ReactNode } from 'react'
import type { ExprFunction } from '../api/types'
import type { Completion } from './completions'
import { completionsFor } from './completions'
import { loadFunctions } from './functions'
import { offsetOf, tokenize, wordAt } from './tokenize'
import { useExpressionCheck } from './useExpressionCheck'

/** Columns every bar has; part of the expression language, not of any node type. */
export const BAR_FIELDS = ['open', 'high', 'low', 'close', 'volume', 'value']

interface Props {
  id: string
  value: string
  onChange: (value: string) => void
  /** The node's input series a formula may name, with their kinds (number / bool). */
  inputs: Record<string, string>
}

export function ExpressionEditor({ id, value, onChange, inputs }: Props) {
  const [functions, setFunctions] = useState<ExprFunction[]>([])
  const [cursor, setCursor] = useState<number | null>(null)
  const [active, setActive] = useState(0)
  const area = useRef<HTMLTextAreaElement>(null)
  // Where the caret goes once an accepted completion is rendered: placed in the same commit, before
  // the next keystroke is handled (a later frame could move it back past what was typed meanwhile).
  const caretAfterAccept = useRef<number | null>(null)
  useLayoutEffect(() => {
    const at = caretAfterAccept.current
    if (at !== null && area.current) {
      area.current.setSelectionRange(at, at)
      caretAfterAccept.current = null
    }
  })
  const check = useExpressionCheck(value, inputs)
  useEffect(() => {
    loadFunctions().then(setFunctions)
  }, [])

  const names = useMemo(() => ({ ...Object.fromEntries(BAR_FIELDS.map((f) => [f, 'bar field'])), ...inputs }), [inputs])
  const word = cursor === null ? null : wordAt(value, cursor)
  const suggestions = word ? completionsFor(word.word, functions, names) : []
  const diagnostic = check && !check.ok ? check.diagnostics[0] : undefined
  const errorRange = diagnostic
    ? [offsetOf(value, diagnostic.line, diagnostic.column), offsetOf(value, diagnostic.line, diagnostic.end_column)] as const
    : null

  const accept = (c: Completion) => {
    if (!word || cursor === null) return
    const next = value.slice(0, word.start) + c.insert + value.slice(cursor)
    const at = word.start + c.insert.length
    onChange(next)
    setCursor(at)
    caretAfterAccept.current = at
  }
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    event.stopPropagation() // keep canvas shortcuts (Delete, Ctrl+Z) out of the text
    if (!suggestions.length) return
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      const step = event.key === 'ArrowDown' ? 1 : -1
      setActive((a) => (a + step + suggestions.length) % suggestions.length)
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault()
      const choice = suggestions[Math.min(active, suggestions.length - 1)]
      if (choice) accept(choice)
    } else if (event.key === 'Escape') {
      setCursor(null)
    }
  }

  return (
    <div className="expr-editor">
      <div className="expr-stack">
        <pre className="expr-highlight" aria-hidden="true">
          <Highlighted text={value} errorRange={errorRange} />
          {'\n'}
        </pre>
        <textarea
          ref={area}
          id={id}
          className="expr-input"
          spellCheck={false}
          value={value}
          rows={Math.max(2, value.split('\n').length)}
          aria-invalid={Boolean(diagnostic)}
          onChange={(event) => {
            onChange(event.target.value)
            setCursor(event.target.selectionStart)
            setActive(0)
          }}
          onKeyDown={onKeyDown}
          onClick={(event) => setCursor(event.currentTarget.selectionStart)}
          onBlur={() => window.setTimeout(() => setCursor(null), 150)}
        />
      </div>
      {suggestions.length > 0 && (
        <ul className="expr-suggestions" role="listbox">
          {suggestions.map((c, i) => (
            <li
              key={c.label}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              onMouseDown={(event) => {
                event.preventDefault()
                accept(c)
              }}
            >
              <span className={`expr-${c.kind}`}>{c.label}</span>
              <small>{c.detail}</small>
            </li>
          ))}
        </ul>
      )}
      <div className={`expr-status ${diagnostic ? 'bad' : 'good'}`}>
        {diagnostic
          ? `Column ${diagnostic.column}: ${diagnostic.message}${diagnostic.suggestion ? ` (${diagnostic.suggestion})` : ''}`
          : check?.ok
            ? `✓ gives a ${check.result_kind} series`
            : ''}
      </div>
    </div>
  )
}

function Highlighted({ text, errorRange }: { text: string; errorRange: readonly [number, number] | null }) {
  const tokens = tokenize(text)
  const [from, to] = errorRange ?? [-1, -1]
  const end = to > from ? to : from + 1
  const parts: ReactNode[] = []
  tokens.forEach((token, i) => {
    const tokenEnd = token.start + token.text.length
    const hit = errorRange !== null && token.start < end && tokenEnd > from
    parts.push(
      <span key={i} className={`tok-${token.kind}${hit ? ' expr-error' : ''}`}>
        {token.text}
      </span>,
    )
  })
  if (errorRange !== null && from >= text.length) parts.push(<span key="eof" className="expr-error eof"> </span>)
  return <>{parts}</>
}
