import app from '@adonisjs/core/services/app'
import { errors as vineErrors } from '@vinejs/vine'
import { errors as shieldErrors } from '@adonisjs/shield'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { type HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import type { HttpError, StatusPageRange, StatusPageRenderer } from '@adonisjs/core/types/http'
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '#exceptions/database_unavailable'

export default class HttpExceptionHandler extends ExceptionHandler {
  /** Stack traces only in development; everyone else gets a friendly page or a JSON error. */
  protected debug = !app.inProduction

  /** Status pages render for HTML requests outside development. */
  protected renderStatusPages = app.inProduction || app.inTest

  protected statusPages: Record<StatusPageRange, StatusPageRenderer> = {
    '404': (error, { view }) => view.render('pages/errors/not_found', { error }),
    '403': (error, { view }) => view.render('pages/errors/forbidden', { error }),
    '500..599': (error, { view }) => view.render('pages/errors/server_error', { error }),
  }

  async handle(error: unknown, ctx: HttpContext) {
    // An unreachable database is an outage, not a bug in this request: every route says so the
    // same way, in every environment, and nothing of the driver's message (host, port, SQL)
    // reaches the client.
    if (isDatabaseUnavailable(error)) return this.#renderUnavailable(ctx)
    // htmx posts (the composer) want the reason as data they can show in place, not the
    // redirect-back that a classic form gets.
    if (error instanceof vineErrors.E_VALIDATION_ERROR && ctx.request.header('hx-request')) {
      return ctx.response.unprocessableEntity({ errors: error.messages })
    }
    // Shield answers a bad CSRF token by redirecting back with a flash message, which suits a
    // form in a page; scripts (JSON, htmx) get the status code instead.
    if (error instanceof shieldErrors.E_BAD_CSRF_TOKEN && this.#wantsData(ctx)) {
      return ctx.response.forbidden({ errors: [{ message: 'Invalid or expired CSRF token' }] })
    }
    // Rate limits: 429 with Retry-After; scripts and the htmx composer get the reason as JSON
    // (the composer shows it in place), a page form a page that says when to try again.
    if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
      const headers = error.getDefaultHeaders()
      for (const [name, value] of Object.entries(headers)) ctx.response.header(name, value)
      const message = error.getResponseMessage(ctx)
      if (this.#wantsData(ctx)) {
        return ctx.response.tooManyRequests({ errors: [{ code: 'E_TOO_MANY_REQUESTS', message }] })
      }
      return ctx.response.tooManyRequests(await ctx.view.render('pages/errors/too_many_requests', { message }))
    }
    return super.handle(error, ctx)
  }

  async #renderUnavailable(ctx: HttpContext) {
    const message = 'Confab cannot reach its database right now. Please try again in a few seconds.'
    ctx.response.header('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS))
    ctx.response.header('Cache-Control', 'no-store')
    if (this.#wantsData(ctx)) return ctx.response.serviceUnavailable({ errors: [{ message }] })
    // The page is static: no session, user or flash lookups that would meet the database again.
    const html = await ctx.view.render('pages/errors/unavailable', { message })
    return ctx.response.status(503).header('Content-Type', 'text/html; charset=utf-8').send(html)
  }

  /**
   * Every JSON error has the documented shape (docs/api.md), `{ errors: [{ code, message }] }`:
   * a 404 too, in every environment (a client's 404 has no stack worth showing). Outside
   * development a server error's own message (often SQL, a path or a host) stays in the log.
   */
  async renderErrorAsJSON(error: HttpError, ctx: HttpContext) {
    if (error.status < 500) {
      return ctx.response.status(error.status).send({ errors: [{ code: error.code, message: error.message }] })
    }
    if (this.isDebuggingEnabled(ctx)) return super.renderErrorAsJSON(error, ctx)
    ctx.response.status(error.status).send({ errors: [{ message: 'Something went wrong on our side. Please try again.' }] })
  }

  #wantsData(ctx: HttpContext) {
    return Boolean(ctx.request.header('hx-request')) || ctx.request.accepts(['html', 'json']) === 'json'
  }

  async report(error: unknown, ctx: HttpContext) {
    // One line per request, without the stack: during an outage every request fails the same way.
    if (isDatabaseUnavailable(error)) {
      const { code, name } = error as { code?: string; name?: string }
      ctx.logger.warn({ code: code ?? name }, 'database unavailable: answered 503')
      return
    }
    return super.report(error, ctx)
  }
}
