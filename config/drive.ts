import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, services } from '@adonisjs/drive'

/**
 * Where voice and video messages are kept (docs/deploy.md, "Storage"). `fs` (the default) is a
 * folder of the app that is NOT public: nothing in it is served as a static file, only
 * `GET /messages/:id/media` streams it after checking channel membership. `s3` is any
 * S3-compatible store (AWS, MinIO, R2...), private objects read by the same route.
 */
if (env.get('DRIVE_DISK') === 's3') {
  const missing = ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'].filter((name) => !env.get(name as 'S3_BUCKET'))
  if (missing.length > 0) throw new Error(`DRIVE_DISK=s3 needs ${missing.join(', ')} (docs/deploy.md, "Storage")`)
}

const driveConfig = defineConfig({
  default: env.get('DRIVE_DISK', 'fs'),
  services: {
    fs: services.fs({
      location: app.makePath(env.get('MEDIA_STORAGE_PATH', 'storage')),
      serveFiles: false,
      visibility: 'private',
    }),
    s3: services.s3({
      credentials: {
        accessKeyId: env.get('S3_ACCESS_KEY_ID', ''),
        secretAccessKey: env.get('S3_SECRET_ACCESS_KEY', ''),
      },
      region: env.get('S3_REGION', 'us-east-1'),
      bucket: env.get('S3_BUCKET', ''),
      endpoint: env.get('S3_ENDPOINT'),
      forcePathStyle: env.get('S3_FORCE_PATH_STYLE', false),
      visibility: 'private',
    }),
  },
})

export default driveConfig

declare module '@adonisjs/drive/types' {
  export interface DriveDisks extends InferDriveDisks<typeof driveConfig> {}
}
