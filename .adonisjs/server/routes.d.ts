import '@adonisjs/core/types/http'

type ParamValue = string | number | bigint | boolean

export type ScannedRoutes = {
  ALL: {
    'live_streams.open': { paramsTuple?: []; params?: {} }
    'live_streams.subscribe': { paramsTuple?: []; params?: {} }
    'live_streams.unsubscribe': { paramsTuple?: []; params?: {} }
    'health': { paramsTuple?: []; params?: {} }
    'up': { paramsTuple?: []; params?: {} }
    'session.create': { paramsTuple?: []; params?: {} }
    'session.store': { paramsTuple?: []; params?: {} }
    'users.create': { paramsTuple?: []; params?: {} }
    'users.store': { paramsTuple?: []; params?: {} }
    'home': { paramsTuple?: []; params?: {} }
    'session.destroy': { paramsTuple?: []; params?: {} }
    'channels.index': { paramsTuple?: []; params?: {} }
    'channels.create': { paramsTuple?: []; params?: {} }
    'channels.store': { paramsTuple?: []; params?: {} }
    'channels.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'membership.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'membership.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'channel_members.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'messages.index': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'messages.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'read_marker.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'media_messages.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'message_media.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'messages.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'direct_channels.store': { paramsTuple?: []; params?: {} }
    'account.show': { paramsTuple?: []; params?: {} }
    'account_sessions.destroy': { paramsTuple?: []; params?: {} }
    'access_tokens.store': { paramsTuple?: []; params?: {} }
    'access_tokens.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin_activity.show': { paramsTuple?: []; params?: {} }
    'admin_activity.call': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'channel_calls.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'calls.index': { paramsTuple?: []; params?: {} }
    'calls.ringing': { paramsTuple?: []; params?: {} }
    'calls.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_participation.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_participation.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_declines.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_endings.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_recording.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_recording.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_recording.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_recordings.index': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'recording_consent.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'recording_file.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'recordings.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_quality_reports.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
  }
  GET: {
    'live_streams.open': { paramsTuple?: []; params?: {} }
    'health': { paramsTuple?: []; params?: {} }
    'up': { paramsTuple?: []; params?: {} }
    'session.create': { paramsTuple?: []; params?: {} }
    'users.create': { paramsTuple?: []; params?: {} }
    'home': { paramsTuple?: []; params?: {} }
    'channels.index': { paramsTuple?: []; params?: {} }
    'channels.create': { paramsTuple?: []; params?: {} }
    'channels.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'messages.index': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'message_media.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'account.show': { paramsTuple?: []; params?: {} }
    'admin_activity.show': { paramsTuple?: []; params?: {} }
    'admin_activity.call': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'calls.index': { paramsTuple?: []; params?: {} }
    'calls.ringing': { paramsTuple?: []; params?: {} }
    'calls.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_recording.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_recordings.index': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'recording_file.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
  }
  HEAD: {
    'live_streams.open': { paramsTuple?: []; params?: {} }
    'health': { paramsTuple?: []; params?: {} }
    'up': { paramsTuple?: []; params?: {} }
    'session.create': { paramsTuple?: []; params?: {} }
    'users.create': { paramsTuple?: []; params?: {} }
    'home': { paramsTuple?: []; params?: {} }
    'channels.index': { paramsTuple?: []; params?: {} }
    'channels.create': { paramsTuple?: []; params?: {} }
    'channels.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'messages.index': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'message_media.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'account.show': { paramsTuple?: []; params?: {} }
    'admin_activity.show': { paramsTuple?: []; params?: {} }
    'admin_activity.call': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'calls.index': { paramsTuple?: []; params?: {} }
    'calls.ringing': { paramsTuple?: []; params?: {} }
    'calls.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_recording.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_recordings.index': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'recording_file.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
  }
  POST: {
    'live_streams.subscribe': { paramsTuple?: []; params?: {} }
    'live_streams.unsubscribe': { paramsTuple?: []; params?: {} }
    'session.store': { paramsTuple?: []; params?: {} }
    'users.store': { paramsTuple?: []; params?: {} }
    'channels.store': { paramsTuple?: []; params?: {} }
    'membership.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'channel_members.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'messages.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'media_messages.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'direct_channels.store': { paramsTuple?: []; params?: {} }
    'access_tokens.store': { paramsTuple?: []; params?: {} }
    'channel_calls.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_participation.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_declines.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_endings.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_recording.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'recording_consent.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_quality_reports.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
  }
  DELETE: {
    'session.destroy': { paramsTuple?: []; params?: {} }
    'membership.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'messages.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'account_sessions.destroy': { paramsTuple?: []; params?: {} }
    'access_tokens.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_participation.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'call_recording.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'recordings.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
  }
  PUT: {
    'read_marker.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
  }
}
declare module '@adonisjs/core/types/http' {
  export interface RoutesList extends ScannedRoutes {}
}