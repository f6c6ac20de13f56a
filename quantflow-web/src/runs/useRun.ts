// Start a run and follow it over the run websocket (the cookie authenticates it, same origin).
import { useCallback, useEffect, useRef, useState } from 'react'
import { api } from '../api/endpoints'
import type { RunOut } from '../api/types'
import type { RunView } from './runState'
import { applyEvents, emptyRun, parseFrame } from './runState'

export interface RunHandle {
  run: RunOut | null
  view: RunView | null
  error: string | null
  start: (workflowId: string, body: Record<string, unknown>, nodeIds: string[]) => Promise<void>
  clear: () => void
}

export function socketUrl(runId: string): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${window.location.host}/ws/runs/${encodeURIComponent(runId)}`
}

export function useRun(): RunHandle {
  const [run, setRun] = useState<RunOut | null>(null)
  const [view, setView] = useState<RunView | null>(null)
  const [error, setError] = useState<string | null>(null)
  const socket = useRef<WebSocket | null>(null)
  useEffect(() => () => socket.current?.close(), [])

  const follow = useCallback((started: RunOut) => {
    socket.current?.close()
    const ws = new WebSocket(socketUrl(started.id))
    socket.current = ws
    ws.onmessage = (message) => {
      const events = parseFrame(String(message.data)) // each message: an array of consecutive events
      setView((v) => (v ? applyEvents(v, events) : v))
    }
    ws.onclose = () => {
      if (socket.current !== ws) return
      socket.current = null
      api.run(started.id).then(setRun).catch(() => undefined)
    }
  }, [])

  const start = useCallback(
    async (workflowId: string, body: Record<string, unknown>, nodeIds: string[]) => {
      setError(null)
      try {
        const started = await api.startRun(workflowId, body)
        setRun(started)
        setView(emptyRun(nodeIds))
        follow(started)
      } catch (e) {
        setError((e as Error).message)
      }
    },
    [follow],
  )
  const clear = useCallback(() => {
    socket.current?.close()
    socket.current = null
    setRun(null)
    setView(null)
  }, [])
  return { run, view, error, start, clear }
}
