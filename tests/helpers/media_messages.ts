import { inPage, until, type AnyPage } from '#tests/helpers/browser'

/* Driving the composer's recorder (frags/media_recorder) in Chromium or Firefox alike. */

export type RecorderState = { phase: string; elapsedMs: number; level: number; error: string; timer: string }

/** What the recorder shows: its phase, the length recorded, the level meter, the error, the timer. */
export function recorderState(page: AnyPage): Promise<RecorderState> {
  return inPage(page, () => {
    const root = document.querySelector<HTMLElement>('.recorder')!
    return {
      phase: root.dataset.phase ?? '',
      elapsedMs: Number(root.dataset.elapsedMs ?? 0),
      level: root.querySelector('meter')!.value,
      error: root.querySelector('.composer__error')!.textContent ?? '',
      timer: root.querySelector('.recorder__timer')!.textContent ?? '',
    }
  })
}

/**
 * Clicks the recorder's visible button labelled `label` with the driver's own (trusted) click,
 * as a person would: the click's user activation lets the page start its audio.
 */
export async function clickRecorderButton(page: AnyPage, label: string) {
  // Alpine shows and hides the recorder's parts a moment after its state changes (x-show
  // settles after the effects that set data-phase): wait for the button as a person would.
  const mark = () =>
    inPage(
      page,
      (text) => {
        // Not before Alpine has wired the recorder (its data-phase): a click before that does nothing.
        if (!document.querySelector<HTMLElement>('.recorder')?.dataset.phase) return false
        const button = [...document.querySelectorAll<HTMLButtonElement>('.recorder button')].find(
          (candidate) => candidate.textContent!.trim() === text && candidate.checkVisibility() && !candidate.disabled
        )
        button?.setAttribute('data-test-click', '')
        return Boolean(button)
      },
      label
    )
  const found = await until(mark, Boolean, 5000, `the "${label}" button`).catch(() => false)
  if (!found) {
    const buttons = await inPage(page, () =>
      [...document.querySelectorAll<HTMLButtonElement>('.recorder button')].map((b) => `${b.textContent!.trim()}:${b.checkVisibility()}:${b.disabled}`).join(', ')
    )
    throw new Error(`No visible "${label}" button in the recorder (${buttons}; ${JSON.stringify(await recorderState(page))})`)
  }
  await (page as { click(selector: string): Promise<void> }).click('[data-test-click]')
  await inPage(page, () => document.querySelector('[data-test-click]')?.removeAttribute('data-test-click'))
}

export async function waitForPhase(page: AnyPage, phase: string, timeoutMs = 10_000) {
  return until(() => recorderState(page), (state) => state.phase === phase, timeoutMs, `the recorder to reach ${phase}`)
}

/**
 * Records `kind` for about `ms` (Record, wait, Stop) and returns what the recorder saw while
 * recording (its highest level, the timer text) and the length it recorded.
 */
export async function record(page: AnyPage, kind: 'voice' | 'video', ms: number) {
  await clickRecorderButton(page, kind === 'voice' ? 'Record voice' : 'Record video')
  await waitForPhase(page, 'recording')
  let highestLevel = 0
  const during = await until(
    () => recorderState(page),
    (state) => {
      highestLevel = Math.max(highestLevel, state.level)
      return state.elapsedMs >= ms
    },
    ms + 10_000,
    `${ms} ms recorded`
  )
  await clickRecorderButton(page, 'Stop')
  const recorded = await waitForPhase(page, 'recorded')
  return { highestLevel, timer: during.timer, elapsedMs: recorded.elapsedMs }
}

/** The timeline's media message `id`: its kind, the server's duration, and its player's source. */
export function timelineMedia(page: AnyPage, id: number) {
  return inPage(
    page,
    (messageId) => {
      const article = document.getElementById(`message-${messageId}`)
      const player = article?.querySelector<HTMLMediaElement>('audio, video')
      return article
        ? {
            kind: article.dataset.messageKind ?? '',
            durationMs: Number(article.querySelector<HTMLElement>('[data-duration-ms]')?.dataset.durationMs),
            player: player?.tagName.toLowerCase() ?? null,
            src: player?.currentSrc || player?.getAttribute('src') || '',
            count: document.querySelectorAll(`#message-${messageId}`).length,
          }
        : null
    },
    id
  )
}

/**
 * Plays message `id`'s player from the start and resolves with what it did: `ended` once it
 * played to its end, the time reached, and for video the decoded width.
 */
export function playToEnd(page: AnyPage, id: number, timeoutMs = 20_000) {
  return inPage(
    page,
    ({ messageId, timeout }) =>
      new Promise<{ ended: boolean; currentTime: number; videoWidth: number; error: string | null; recovered: boolean }>((resolve) => {
        const player = document.querySelector<HTMLMediaElement>(`#message-${messageId} audio, #message-${messageId} video`)!
        const done = (ended: boolean) =>
          resolve({
            ended,
            currentTime: player.currentTime,
            videoWidth: (player as HTMLVideoElement).videoWidth ?? 0,
            error: player.error ? `${player.error.code} ${player.error.message}` : null,
            recovered: player.dataset.recovered === 'true',
          })
        player.addEventListener('ended', () => done(true), { once: true })
        // One error is recovered from by loading again (player_recovery.ts): the second one counts.
        let errors = 0
        player.addEventListener('error', () => {
          if (++errors > 1 || player.dataset.recovered !== 'true') done(false)
        })
        setTimeout(() => done(false), timeout)
        player.muted = true
        void player.play().catch(() => done(false))
      }),
    { messageId: id, timeout: timeoutMs }
  )
}

/** The ids of the media messages in the page's timeline, oldest first. */
export function timelineMediaIds(page: AnyPage) {
  return inPage(page, () =>
    [...document.querySelectorAll<HTMLElement>('#messages [data-message-kind]')].map((article) => Number(article.id.replace('message-', '')))
  )
}
