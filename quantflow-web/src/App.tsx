// Session gate and routes: the login, the workflow list, or one workflow's canvas.
import { useCallback, useEffect, useState } from 'react'
import { api } from './api/endpoints'
import { onUnauthorized } from './api/client'
import type { Me } from './api/types'
import { EditorPage } from './editor/EditorPage'
import { navigate, usePath, workflowIdFrom } from './lib/router'
import { LoginPage } from './pages/LoginPage'
import { WorkflowsPage } from './pages/WorkflowsPage'

type Session = { state: 'checking' } | { state: 'anonymous' } | { state: 'user'; me: Me }

export function App() {
  const [session, setSession] = useState<Session>({ state: 'checking' })
  const path = usePath()
  const refresh = useCallback(() => {
    api
      .me()
      .then((me) => setSession({ state: 'user', me }))
      .catch(() => setSession({ state: 'anonymous' }))
  }, [])
  useEffect(refresh, [refresh])
  useEffect(() => onUnauthorized(() => setSession({ state: 'anonymous' })), [])

  if (session.state === 'checking') return <div className="splash">QuantFlow…</div>
  if (session.state === 'anonymous') return <LoginPage onLoggedIn={refresh} />
  const logout = () => api.logout().finally(() => setSession({ state: 'anonymous' }))
  const workflowId = workflowIdFrom(path)
  if (workflowId) return <EditorPage key={workflowId} workflowId={workflowId} me={session.me} onBack={() => navigate('/')} />
  return <WorkflowsPage me={session.me} onLogout={logout} />
}
