import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Readable } from 'node:stream'
import drive from '@adonisjs/drive/services/main'
import { FSDriver } from 'flydrive/drivers/fs'
import { S3Driver } from 'flydrive/drivers/s3'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'

/** An inclusive byte range of a stored file, as HTTP Range counts. */
export type ByteRange = { start: number; end: number }

/**
 * The recordings on the drive disk (config/drive.ts). Writing and deleting go through
 * @adonisjs/drive; reading a byte range does not exist in its API (getStream reads whole
 * files), so ranges are read here from the disk's own place: the file on the local disk,
 * a ranged GetObject on S3 with the same options as the driver.
 */
class MediaStore {
  #s3Client: S3Client | null = null

  get #disk() {
    return drive.use()
  }

  /** Moves an upload's temp file to `key` (a rename on the local disk, an upload on S3). */
  async putFromFile(key: string, path: string, contentType: string) {
    await this.#disk.moveFromFs(path, key, { contentType, visibility: 'private' })
  }

  /** Deletes a stored file; one already gone is not an error (a retried delete). */
  async delete(key: string) {
    await this.#disk.delete(key)
  }

  async exists(key: string) {
    return this.#disk.exists(key)
  }

  /** A stream of `range` of the file at `key`. */
  async streamRange(key: string, range: ByteRange): Promise<Readable> {
    const driver = this.#disk.driver
    if (driver instanceof FSDriver) {
      const root = driver.options.location
      const location = typeof root === 'string' ? root : fileURLToPath(root)
      return createReadStream(join(location, key), { start: range.start, end: range.end })
    }
    if (driver instanceof S3Driver) {
      this.#s3Client ??= new S3Client(driver.options)
      const object = await this.#s3Client.send(
        new GetObjectCommand({ Bucket: driver.options.bucket, Key: key, Range: `bytes=${range.start}-${range.end}` })
      )
      return object.Body as Readable
    }
    throw new Error('Media messages need the fs or s3 disk (DRIVE_DISK)')
  }
}

const mediaStore = new MediaStore()
export default mediaStore
