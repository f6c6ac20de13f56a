// Hands the saved workflow to the server's scheduler (or takes it back) and says when it fires next.
import { useEffect, useState } from 'react'
import { api } from '../api/endpoints'
import type { Activation } from '../api/types'

interface Props {
  workflowId: string
  revision: number // the newest saved revision: what "Activate" pins
  draft: boolean
}

/** The earliest next wake over the triggers, in Vietnam time (the market's clock). */
export function nextWake(activation: Activation): string | null {
  const times = activation.triggers.map((t) => t.next_wake_at).filter((t): t is string => t !== null).sort()
  if (!times.length) return null
  return new Date(times[0] as string).toLocaleString('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'medium', timeStyle: 'short' })
}

export function ActivationToggle({ workflowId, revision, draft }: Props) {
  const [activation, setActivation] = useState<Activation | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    api.activation(workflowId).then(setActivation).catch((e: Error) => setError(e.message))
  }, [workflowId])
  if (!activation) return error ? <span className="badge warn" title={error}>schedule unavailable</span> : null
  const change = async (enabled: boolean) => {
    setBusy(true)
    setError(null)
    try {
      setActivation(await api.setActivation(workflowId, enabled, enabled ? revision : undefined))
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }
  const next = activation.enabled ? nextWake(activation) : null
  const behind = activation.enabled && activation.revision !== revision
  return (
    <span className="activation" data-testid="activation">
      {activation.enabled ? (
        <>
          <span className="badge ok" title={next ? `Fires next at ${next} (Vietnam time)` : 'No further wake planned'}>
            active · rev {activation.revision}{next ? ` · next ${next}` : ''}
          </span>
          {behind && (
            <button onClick={() => change(true)} disabled={busy || draft} title={`The scheduler still fires revision ${activation.revision}`}>
              Activate rev {revision}
            </button>
          )}
          <button onClick={() => change(false)} disabled={busy}>Deactivate</button>
        </>
      ) : (
        <button onClick={() => change(true)} disabled={busy || draft}
          title={draft ? 'A draft cannot be activated: fix its problems and save it first' : 'Fire this workflow at its schedule and bar-close times'}>
          Activate
        </button>
      )}
      {error && <span className="error-text" role="alert">{error}</span>}
    </span>
  )
}
