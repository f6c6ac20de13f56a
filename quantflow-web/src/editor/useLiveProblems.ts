// Problems of the graph as edited, from POST /api/workflows/validate (debounced).
import { useEffect, useState } from 'react'
import { api } from '../api/endpoints'
import type { Problem, WorkflowDocument } from '../api/types'

export function useLiveProblems(initial: Problem[], document: () => WorkflowDocument, version: number, delayMs = 500): [Problem[], (p: Problem[]) => void] {
  const [problems, setProblems] = useState<Problem[]>(initial)
  useEffect(() => {
    if (version === 0) return
    let current = true
    const timer = window.setTimeout(() => {
      api
        .validate(document())
        .then((r) => current && setProblems(r.problems))
        .catch(() => undefined)
    }, delayMs)
    return () => {
      current = false
      window.clearTimeout(timer)
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, delayMs])
  return [problems, setProblems]
}
