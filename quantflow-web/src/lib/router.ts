// A tiny History-API router: the server answers every deep link with index.html.
import { useEffect, useState } from 'react'

const listeners = new Set<() => void>()

export function navigate(path: string): void {
  if (path === window.location.pathname) return
  window.history.pushState(null, '', path)
  listeners.forEach((l) => l())
}

export function usePath(): string {
  const [path, setPath] = useState(window.location.pathname)
  useEffect(() => {
    const update = () => setPath(window.location.pathname)
    listeners.add(update)
    window.addEventListener('popstate', update)
    return () => {
      listeners.delete(update)
      window.removeEventListener('popstate', update)
    }
  }, [])
  return path
}

/** The workflow id in `/workflows/:id`, or null. */
export function workflowIdFrom(path: string): string | null {
  const match = /^\/workflows\/([^/]+)\/?$/.exec(path)
  return match?.[1] ? decodeURIComponent(match[1]) : null
}
