/*
| Routes. Pages need a signed-in user (`auth`), except the login and sign-up pages (`guest`), `/health`
| and `/up`. Every channel lookup goes through the current user's memberships. `GET /metrics` is
| answered before the router, without a session (app/middleware/metrics_endpoint_middleware.ts).
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { throttleChannels, throttleMediaMessages, throttleMessages, throttleQualityReports, throttleSignups } from '#start/limiter'

const SessionController = () => import('#controllers/session_controller')
const UsersController = () => import('#controllers/users_controller')
const ChannelsController = () => import('#controllers/channels_controller')
const MembershipsController = () => import('#controllers/memberships_controller')
const ChannelMembersController = () => import('#controllers/channel_members_controller')
const DirectChannelsController = () => import('#controllers/direct_channels_controller')
const MessagesController = () => import('#controllers/messages_controller')
const ReadMarkersController = () => import('#controllers/read_markers_controller')
const MediaMessagesController = () => import('#controllers/media_messages_controller')
const MessageMediaController = () => import('#controllers/message_media_controller')
const HealthController = () => import('#controllers/health_controller')
const ChannelCallsController = () => import('#controllers/channel_calls_controller')
const CallsController = () => import('#controllers/calls_controller')
const CallParticipationsController = () => import('#controllers/call_participations_controller')
const CallDeclinesController = () => import('#controllers/call_declines_controller')
const CallEndingsController = () => import('#controllers/call_endings_controller')
const AccountController = () => import('#controllers/account_controller')
const AccountSessionsController = () => import('#controllers/account_sessions_controller')
const AccessTokensController = () => import('#controllers/access_tokens_controller')
const CallQualityReportsController = () => import('#controllers/call_quality_reports_controller')
const AdminActivityController = () => import('#controllers/admin_activity_controller')
const CallRecordingsController = () => import('#controllers/call_recordings_controller')
const RecordingConsentsController = () => import('#controllers/recording_consents_controller')
const RecordingsController = () => import('#controllers/recordings_controller')

// Every `:id` is a positive number; anything else never reaches a controller (404).
router.where('id', router.matchers.number())

router.get('/health', [HealthController, 'show']).as('health')
// Liveness only (Rails' `/up`): the process answers HTTP. No database, so a probe that restarts
// dead instances does not also restart live ones when the database blips; the page benchmark
// uses it as the floor of what any route in this app costs.
router.get('/up', ({ response }) => response.ok('OK')).as('up')

router
  .group(() => {
    router.get('/login', [SessionController, 'create']).as('session.create')
    router.post('/login', [SessionController, 'store']).as('session.store')
    router.get('/signup', [UsersController, 'create']).as('users.create')
    router.post('/signup', [UsersController, 'store']).as('users.store').use(throttleSignups)
  })
  .use(middleware.guest())

router
  .group(() => {
    router.on('/').redirectToPath('/channels').as('home')
    router.delete('/logout', [SessionController, 'destroy']).as('session.destroy')

    router.get('/channels', [ChannelsController, 'index']).as('channels.index')
    router.get('/channels/new', [ChannelsController, 'create']).as('channels.create')
    router.post('/channels', [ChannelsController, 'store']).as('channels.store').use(throttleChannels)
    router.get('/channels/:id', [ChannelsController, 'show']).as('channels.show')

    router.post('/channels/:id/membership', [MembershipsController, 'store']).as('membership.store')
    router.delete('/channels/:id/membership', [MembershipsController, 'destroy']).as('membership.destroy')
    router.post('/channels/:id/members', [ChannelMembersController, 'store']).as('channel_members.store')

    router.get('/channels/:id/messages', [MessagesController, 'index']).as('messages.index')
    router.post('/channels/:id/messages', [MessagesController, 'store']).as('messages.store').use(throttleMessages)
    router.put('/channels/:id/read_marker', [ReadMarkersController, 'update']).as('read_marker.update')
    // Voice and video messages (docs/media_messages.md): the upload streams through the
    // controller (the bodyparser does not read multipart bodies), the file only to members.
    router
      .post('/channels/:id/media_messages', [MediaMessagesController, 'store'])
      .as('media_messages.store')
      .use(throttleMediaMessages)
    router.get('/messages/:id/media', [MessageMediaController, 'show']).as('message_media.show')
    router.delete('/messages/:id', [MessagesController, 'destroy']).as('messages.destroy')

    router.post('/direct_channels', [DirectChannelsController, 'store']).as('direct_channels.store')

    router.get('/account', [AccountController, 'show']).as('account.show')
    router.delete('/account/sessions', [AccountSessionsController, 'destroy']).as('account_sessions.destroy')
    router.post('/account/tokens', [AccessTokensController, 'store']).as('access_tokens.store')
    router.delete('/account/tokens/:id', [AccessTokensController, 'destroy']).as('access_tokens.destroy')

    // Admins only; everyone else gets the 404 of a page that does not exist (docs/admin.md).
    router
      .group(() => {
        router.get('/activity', [AdminActivityController, 'show']).as('admin_activity.show')
        router.get('/activity/calls/:id', [AdminActivityController, 'call']).as('admin_activity.call')
      })
      .prefix('/admin')
      .use(middleware.admin())
  })
  .use(middleware.auth())

/*
| The call routes, for browsers (session) and for other clients (docs/api.md): a request with
| `Authorization: Bearer <personal access token>`, no session cookie and `Accept: application/json`
| is signed in by its token, with no CSRF token. A token never opens the HTML pages.
*/
router
  .group(() => {
    router.post('/channels/:id/calls', [ChannelCallsController, 'store']).as('channel_calls.store')
    router.get('/calls', [CallsController, 'index']).as('calls.index')
    router.get('/calls/ringing', [CallsController, 'ringing']).as('calls.ringing')
    router.get('/calls/:id', [CallsController, 'show']).as('calls.show')
    router.post('/calls/:id/participation', [CallParticipationsController, 'store']).as('call_participation.store')
    router.delete('/calls/:id/participation', [CallParticipationsController, 'destroy']).as('call_participation.destroy')
    router.post('/calls/:id/decline', [CallDeclinesController, 'store']).as('call_declines.store')
    router.post('/calls/:id/end', [CallEndingsController, 'store']).as('call_endings.store')

    // Call recording (docs/recording.md): the running one, consent, the finished files.
    router.get('/calls/:id/recording', [CallRecordingsController, 'show']).as('call_recording.show')
    router.post('/calls/:id/recording', [CallRecordingsController, 'store']).as('call_recording.store')
    router.delete('/calls/:id/recording', [CallRecordingsController, 'destroy']).as('call_recording.destroy')
    router.get('/calls/:id/recordings', [CallRecordingsController, 'index']).as('call_recordings.index')
    router.post('/recordings/:id/consent', [RecordingConsentsController, 'store']).as('recording_consent.store')
    router.get('/recordings/:id/file', [RecordingsController, 'file']).as('recording_file.show')
    router.delete('/recordings/:id', [RecordingsController, 'destroy']).as('recordings.destroy')

    router
      .post('/calls/:id/quality_reports', [CallQualityReportsController, 'store'])
      .as('call_quality_reports.store')
      .use(throttleQualityReports)
  })
  .use(middleware.auth({ tokens: true }))
