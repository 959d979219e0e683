/*
| The frames of the signaling benchmark: what a browser in a 4-person mesh call sends. Per pair
| of participants an offer and an answer (Chrome-like SDP, 4-6 KB), about ten trickled ICE
| candidates (~250 B frames), plus a few `media` frames (a microphone toggled).
|
| Every signal carries its send time (integer microseconds of the load generator's clock) in a
| place Confab relays untouched: the SDP's origin line (`o=- <time> 2 IN IP4 ...`) and the ICE
| candidate's foundation (`candidate:<time> 1 udp ...`). Confab's frame validators drop unknown
| fields, so a separate `sentAt` field would not survive; the baselines get the very same frames.
| `media` frames have no free-form field: their latency is matched by order instead (see
| signaling_load.ts).
*/

export type SignalStep = { kind: 'description'; sdpType: 'offer' | 'answer'; to: number } | { kind: 'candidate'; to: number; index: number }
export type Step = SignalStep | { kind: 'media' }

const AUDIO_CODECS = [
  'a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:126 telephone-event/8000',
]

const VIDEO_CODECS = [
  ['VP8/90000', ''],
  ['VP9/90000', 'profile-id=0'],
  ['VP9/90000', 'profile-id=2'],
  ['VP9/90000', 'profile-id=1'],
  ['H264/90000', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f'],
  ['H264/90000', 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f'],
  ['H264/90000', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f'],
  ['H264/90000', 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f'],
  ['H264/90000', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f'],
  ['H264/90000', 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f'],
  ['AV1/90000', 'level-idx=5;profile=0;tier=0'],
  ['H264/90000', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f'],
  ['H265/90000', 'level-id=93;profile-id=1;tier-flag=0;tx-mode=SRST'],
  ['AV1/90000', 'level-idx=5;profile=1;tier=0'],
]

function hex(length: number, seed: number) {
  let out = ''
  let state = seed * 2654435761
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0
    out += '0123456789abcdef'[state % 16]
  }
  return out
}

function videoSection(codecCount: number, seed: number) {
  const lines: string[] = []
  const payloadTypes: number[] = []
  for (let i = 0; i < codecCount; i++) {
    const [codec, fmtp] = VIDEO_CODECS[i % VIDEO_CODECS.length]
    const pt = 96 + i * 2
    payloadTypes.push(pt, pt + 1)
    lines.push(`a=rtpmap:${pt} ${codec}`)
    for (const feedback of ['goog-remb', 'transport-cc', 'ccm fir', 'nack', 'nack pli']) lines.push(`a=rtcp-fb:${pt} ${feedback}`)
    if (fmtp) lines.push(`a=fmtp:${pt} ${fmtp}`)
    lines.push(`a=rtpmap:${pt + 1} rtx/90000`, `a=fmtp:${pt + 1} apt=${pt}`)
  }
  const ssrc = 1_000_000 + seed
  return [
    `m=video 9 UDP/TLS/RTP/SAVPF ${payloadTypes.join(' ')}`,
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=mid:1',
    'a=extmap:14 urn:ietf:params:rtp-hdrext:toffset',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:13 urn:3gpp:video-orientation',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
    'a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type',
    'a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing',
    'a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=sendrecv',
    `a=msid:${hex(36, seed)} ${hex(36, seed + 7)}`,
    'a=rtcp-mux',
    'a=rtcp-rsize',
    ...lines,
    `a=ssrc-group:FID ${ssrc} ${ssrc + 1}`,
    `a=ssrc:${ssrc} cname:${hex(16, seed + 3)}`,
    `a=ssrc:${ssrc} msid:${hex(36, seed)} ${hex(36, seed + 7)}`,
    `a=ssrc:${ssrc + 1} cname:${hex(16, seed + 3)}`,
    `a=ssrc:${ssrc + 1} msid:${hex(36, seed)} ${hex(36, seed + 7)}`,
  ]
}

/**
 * A Chrome-like SDP split around the origin line's session id, where the send time goes:
 * `head + time + tail`. `codecCount` sets the size (6 video codecs ~4 KB, 10 ~6 KB).
 */
export function sdpTemplate(sdpType: 'offer' | 'answer', codecCount: number, seed: number) {
  const audioSsrc = 2_000_000 + seed
  const body = [
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=ice-ufrag:${hex(4, seed + 11)}`,
    `a=ice-pwd:${hex(24, seed + 13)}`,
    'a=ice-options:trickle',
    `a=fingerprint:sha-256 ${hex(64, seed + 17).toUpperCase().match(/../g)!.join(':')}`,
    `a=setup:${sdpType === 'offer' ? 'actpass' : 'active'}`,
    'a=mid:0',
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=sendrecv',
    `a=msid:${hex(36, seed)} ${hex(36, seed + 5)}`,
    'a=rtcp-mux',
    'a=rtcp-rsize',
    ...AUDIO_CODECS,
    `a=ssrc:${audioSsrc} cname:${hex(16, seed + 3)}`,
    `a=ssrc:${audioSsrc} msid:${hex(36, seed)} ${hex(36, seed + 5)}`,
    ...videoSection(codecCount, seed),
  ]
  return { head: 'v=0\r\no=- ', tail: ` 2 IN IP4 127.0.0.1\r\n${body.join('\r\n')}\r\n` }
}

/** An ICE candidate line split around its foundation, where the send time goes. */
export function candidateTemplate(index: number, seed: number) {
  const port = 50_000 + ((seed * 31 + index * 7) % 15_000)
  return {
    head: 'candidate:',
    tail: ` 1 udp 1686052607 203.0.113.${(seed % 250) + 1} ${port} typ srflx raddr 192.168.${index % 250}.${(seed % 250) + 1} rport ${port} generation 0 ufrag ${hex(4, seed + 11)} network-id 1 network-cost 10`,
    sdpMid: String(index % 2),
    sdpMLineIndex: index % 2,
    usernameFragment: hex(4, seed + 11),
  }
}

/** The send time (µs) embedded in a relayed signal's data, or NaN when there is none. */
export function sentAtOf(data: any): number {
  const sdp: string | undefined = data?.description?.sdp
  if (sdp) {
    const start = sdp.indexOf('o=- ') + 4
    return Number(sdp.slice(start, sdp.indexOf(' ', start)))
  }
  const line: string | undefined = data?.candidate?.candidate
  if (line) return Number(line.slice(10, line.indexOf(' ', 10)))
  return NaN
}

/**
 * What one participant sends in one round of the exchange with the other members of its call:
 * to each of them an offer (to those after it in the call) or an answer (to those before), five
 * ICE candidates, then one `media` frame. 3 peers: 19 frames, 18 signals and 1 media.
 */
export function participantScript(myIndex: number, memberIds: number[]): Step[] {
  const steps: Step[] = []
  memberIds.forEach((to, index) => {
    if (index === myIndex) return
    steps.push({ kind: 'description', sdpType: index > myIndex ? 'offer' : 'answer', to })
    for (let i = 0; i < 5; i++) steps.push({ kind: 'candidate', to, index: i })
  })
  steps.push({ kind: 'media' })
  return steps
}
