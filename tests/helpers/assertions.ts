import type { ApiResponse } from '@japa/api-client'
import { AssertionError } from 'node:assert'

/** Fails when the response body contains `text`: for proving something is NOT shown. */
export function assertExcludes(response: ApiResponse, text: string) {
  if (response.text().includes(text)) {
    throw new AssertionError({ message: `Expected the response not to include ${JSON.stringify(text)}` })
  }
}
