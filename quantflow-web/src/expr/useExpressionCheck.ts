// Live validation through POST /api/expressions/validate, debounced, latest answer wins.
import { useEffect, useState } from 'react'
import { api } from '../api/endpoints'
import type { ExprCheck } from '../api/types'

export function useExpressionCheck(text: string, inputs: Record<string, string>, delayMs = 250): ExprCheck | null {
  const [result, setResult] = useState<ExprCheck | null>(null)
  const inputsKey = JSON.stringify(inputs)
  useEffect(() => {
    if (!text.trim()) {
      setResult(null)
      return
    }
    let current = true
    const timer = window.setTimeout(() => {
      api
        .checkExpression(text, JSON.parse(inputsKey) as Record<string, string>)
        .then((r) => current && setResult(r))
        .catch(() => current && setResult(null))
    }, delayMs)
    return () => {
      current = false
      window.clearTimeout(timer)
    }
  }, [text, inputsKey, delayMs])
  return result
}
