/**
 * Runs `work` with a session on another Node process's inspector (the process must run with
 * `--inspect=127.0.0.1:<port>`; its URL is printed on stderr). `send` makes one protocol call
 * and resolves with its result.
 */
async function withInspector<T>(inspectorOutput: string, work: (send: (method: string, params?: object) => Promise<any>) => Promise<T>) {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(inspectorOutput)?.[1]
  if (!url) throw new Error('the process was not started with --inspect')
  const socket = new WebSocket(url)
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true })
    socket.addEventListener('error', () => reject(new Error(`cannot reach the inspector at ${url}`)), { once: true })
  })
  let nextId = 1
  const send = (method: string, params: object = {}) => {
    const id = nextId++
    return new Promise<any>((resolve, reject) => {
      const onMessage = (event: MessageEvent) => {
        const reply = JSON.parse(String(event.data))
        if (reply.id !== id) return
        socket.removeEventListener('message', onMessage)
        if (reply.error) reject(new Error(`inspector ${method}: ${reply.error.message}`))
        else resolve(reply.result)
      }
      socket.addEventListener('message', onMessage)
      socket.send(JSON.stringify({ id, method, params }))
    })
  }
  try {
    return await work(send)
  } finally {
    socket.close()
  }
}

/**
 * A full, memory-reducing garbage collection in another Node process, through its inspector.
 * Used to read memory once V8 has dropped its garbage and shrunk a young generation that a
 * burst of requests grew, so a figure measures what stays, not when V8 last collected.
 */
export async function collectGarbage(inspectorOutput: string) {
  await withInspector(inspectorOutput, async (send) => {
    // Twice: the first collection's finalizers can free more for the second.
    await send('HeapProfiler.collectGarbage')
    await send('HeapProfiler.collectGarbage')
  })
}

/**
 * `process.memoryUsage()` of another Node process, evaluated through its inspector (no GC):
 * the V8 heap used and allocated, and memory held outside it (`external`, `arrayBuffers`), in bytes.
 */
export async function memoryUsage(inspectorOutput: string): Promise<NodeJS.MemoryUsage> {
  const { result } = await withInspector(inspectorOutput, (send) => send('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true }))
  return JSON.parse(result.value)
}
