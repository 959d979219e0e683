/**
 * A full, memory-reducing garbage collection in another Node process, through its inspector
 * (the process must run with `--inspect=127.0.0.1:0`; its URL is printed on stderr). Used to
 * read memory once V8 has dropped its garbage and shrunk a young generation that a burst of
 * requests grew, so a figure measures what stays, not when V8 last collected.
 */
export async function collectGarbage(inspectorOutput: string) {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(inspectorOutput)?.[1]
  if (!url) throw new Error('the process was not started with --inspect')
  const socket = new WebSocket(url)
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true })
    socket.addEventListener('error', () => reject(new Error(`cannot reach the inspector at ${url}`)), { once: true })
  })
  try {
    // Twice: the first collection's finalizers can free more for the second.
    for (const id of [1, 2]) {
      const done = new Promise<void>((resolve) => {
        const onMessage = (event: MessageEvent) => {
          if (JSON.parse(String(event.data)).id !== id) return
          socket.removeEventListener('message', onMessage)
          resolve()
        }
        socket.addEventListener('message', onMessage)
      })
      socket.send(JSON.stringify({ id, method: 'HeapProfiler.collectGarbage' }))
      await done
    }
  } finally {
    socket.close()
  }
}
