import type { HttpContext } from '@adonisjs/core/http'
import { Exception } from '@adonisjs/core/exceptions'
import CreateAccessToken from '#actions/accounts/create_access_token'
import RevokeAccessToken from '#actions/accounts/revoke_access_token'
import { createAccessTokenValidator } from '#validators/access_token'
import { wantsJson } from '#helpers/call_response'
import { renderAccount } from '#controllers/account_controller'

/** My personal access tokens as a resource (docs/api.md): created and revoked on the account page. */
export default class AccessTokensController {
  /**
   * `POST /account/tokens`. The token's value is in this response and nowhere else: not in a
   * redirect's flash message (the session store would keep the secret), not in the database
   * (a hash only), and the page is not cached.
   */
  async store(ctx: HttpContext) {
    const { auth, request, response } = ctx
    const { name, expiresIn } = await request.validateUsing(createAccessTokenValidator)
    const token = await new CreateAccessToken().handle(auth.getUserOrFail(), { name, expiresIn })
    const value = token.value!.release()
    response.header('Cache-Control', 'no-store')
    if (wantsJson(request)) {
      return response.created({ token: { id: Number(token.identifier), name: token.name, value, expiresAt: token.expiresAt } })
    }
    const page = await renderAccount(ctx, { name: token.name ?? name, value })
    return response.status(201).send(page)
  }

  /** `DELETE /account/tokens/:id`: revokes one of my tokens; anyone else's is a 404. */
  async destroy({ auth, params, request, response, session }: HttpContext) {
    const revoked = await new RevokeAccessToken().handle(auth.getUserOrFail(), params.id)
    if (!revoked) throw new Exception('No such access token', { status: 404, code: 'E_ROW_NOT_FOUND' })
    if (wantsJson(request)) return response.noContent()
    session.flash('notice', 'Access token revoked: clients using it are signed out.')
    return response.redirect().toRoute('account.show')
  }
}
