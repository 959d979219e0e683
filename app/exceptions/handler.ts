import app from '@adonisjs/core/services/app'
import { errors as vineErrors } from '@vinejs/vine'
import { errors as shieldErrors } from '@adonisjs/shield'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { type HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import type { StatusPageRange, StatusPageRenderer } from '@adonisjs/core/types/http'

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

  #wantsData(ctx: HttpContext) {
    return Boolean(ctx.request.header('hx-request')) || ctx.request.accepts(['html', 'json']) === 'json'
  }

  async report(error: unknown, ctx: HttpContext) {
    return super.report(error, ctx)
  }
}
