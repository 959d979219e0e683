/**
 * Everything one remote person sends, as one MediaStream for their tile. WebRTC hands over each
 * track with the streams its sender put it in (`ontrack`'s `streams`), and a valid sender may
 * put audio and video in two streams, or in none (a track a receive-only transceiver starts
 * sending after `replaceTrack`, as an audio call's screen share does). Keeping the tile on one
 * of those streams would drop the other track; so the tracks are collected here, and a track
 * leaves when it ends or its sender removes it from its stream.
 *
 * Each change publishes a new MediaStream object: the tile's <video> and the speaker detector
 * compare streams by identity, and a track added to a stream they already hold would go unseen.
 */
export class RemoteStream {
  #tracks = new Set<MediaStreamTrack>()
  #watchedStreams = new Set<MediaStream>()
  #closed = false

  constructor(private publish: (stream: MediaStream) => void) {}

  /** A track arrived (an RTCPeerConnection `track` event), with the streams it was sent in. */
  add(track: MediaStreamTrack, streams: readonly MediaStream[]) {
    if (this.#closed) return
    for (const stream of streams) this.#watch(stream)
    if (this.#tracks.has(track)) return
    this.#tracks.add(track)
    track.addEventListener('ended', () => this.remove(track), { once: true })
    this.#changed()
  }

  /** A track is no longer received. */
  remove(track: MediaStreamTrack) {
    if (!this.#closed && this.#tracks.delete(track)) this.#changed()
  }

  /** The connection is gone: nothing is published any more. */
  close() {
    this.#closed = true
  }

  #watch(stream: MediaStream) {
    if (this.#watchedStreams.has(stream)) return
    this.#watchedStreams.add(stream)
    // The sender's removeTrack (renegotiated) takes the track out of its stream on our side.
    stream.addEventListener('removetrack', (event) => this.remove((event as MediaStreamTrackEvent).track))
  }

  #changed() {
    this.publish(new MediaStream([...this.#tracks]))
  }
}
