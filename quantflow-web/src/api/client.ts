// Same-origin fetch: the browser sends the HttpOnly auth cookie the login set.

export class ApiError extends Error {
  readonly status: number
  readonly body: Record<string, unknown>

  constructor(status: number, body: Record<string, unknown>) {
    super(typeof body.detail === 'string' ? body.detail : `request failed (${status})`)
    this.status = status
    this.body = body
  }
}

type Listener = () => void
const unauthorizedListeners = new Set<Listener>()

/** Called whenever the server says the session is gone (401), so the app can show the login. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener)
  return () => unauthorizedListeners.delete(listener)
}

export async function request<T>(method: string, path: string, body?: unknown, form?: boolean): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  let payload: BodyInit | undefined
  if (form && body) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded'
    payload = new URLSearchParams(body as Record<string, string>).toString()
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' })
  const text = await response.text()
  const data: unknown = text ? JSON.parse(text) : null
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith('/api/auth/token')) {
      unauthorizedListeners.forEach((listener) => listener())
    }
    throw new ApiError(response.status, (data as Record<string, unknown>) ?? {})
  }
  return data as T
}

export const get = <T>(path: string) => request<T>('GET', path)
export const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {})
export const put = <T>(path: string, body: unknown) => request<T>('PUT', path, body)
export const del = (path: string) => request<null>('DELETE', path)
