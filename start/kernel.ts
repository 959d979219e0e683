/*
| HTTP kernel: the middleware every request passes through, then the router middleware for
| matched routes, then the named middleware routes opt into.
*/
import router from '@adonisjs/core/services/router'
import server from '@adonisjs/core/services/server'

server.errorHandler(() => import('#exceptions/handler'))

server.use([
  () => import('#middleware/container_bindings_middleware'),
  // AdonisJS' static middleware, skipped for the SSE stream route (see the middleware).
  () => import('#middleware/public_files_middleware'),
  () => import('@adonisjs/vite/vite_middleware'),
  // After static files and Vite: /metrics, then timing what reaches the router (docs/deploy.md).
  () => import('#middleware/metrics_endpoint_middleware'),
  () => import('#middleware/http_metrics_middleware'),
])

router.use([
  () => import('@adonisjs/core/bodyparser_middleware'),
  // The session and Shield; token clients get neither a stored session nor CSRF (docs/api.md).
  () => import('#middleware/token_aware_session_middleware'),
  () => import('#middleware/token_aware_shield_middleware'),
  () => import('@adonisjs/auth/initialize_auth_middleware'),
  () => import('#middleware/initialize_bouncer_middleware'),
  () => import('#middleware/shared_view_data_middleware'),
])

export const middleware = router.named({
  guest: () => import('#middleware/guest_middleware'),
  auth: () => import('#middleware/auth_middleware'),
  admin: () => import('#middleware/admin_middleware'),
  transmitRequest: () => import('#middleware/transmit_request_middleware'),
})
