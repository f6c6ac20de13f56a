import { describe, expect, it } from 'vitest'
import type { Activation } from '../api/types'
import { nextWake } from './ActivationToggle'

const activation = (times: (string | null)[]): Activation => ({
  workflow_id: 'w',
  enabled: true,
  revision: 1,
  updated_at: null,
  last_fired_at: null,
  triggers: times.map((t, i) => ({ node_id: `t${i}`, type: 'core:schedule', kind: 'schedule', next_wake_at: t })),
})

describe('nextWake', () => {
  it('is the earliest wake, in Vietnam time', () => {
    expect(nextWake(activation(['2025-03-03T08:00:00Z', '2025-03-03T02:05:00Z', null]))).toBe('3 Mar 2025, 09:05')
  })
  it('is null when no trigger wakes', () => {
    expect(nextWake(activation([null]))).toBeNull()
  })
})
