import env from '#start/env'
import { defineConfig, drivers } from '@adonisjs/core/encryption'

/**
 * Signs and encrypts cookies (the session id among them). The first key encrypts; list older
 * keys after it to rotate APP_KEY without logging everyone out.
 */
export default defineConfig({
  default: 'gcm',
  list: {
    gcm: drivers.aes256gcm({ id: 'gcm', keys: [env.get('APP_KEY')] }),
  },
})
