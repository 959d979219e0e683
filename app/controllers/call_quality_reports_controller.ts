import type { HttpContext } from '@adonisjs/core/http'
import Call from '#models/call'
import CallPolicy from '#policies/call_policy'
import RecordQualityReport from '#actions/calls/record_quality_report'
import { callQualityReportValidator } from '#validators/call_quality_report'

/** `POST /calls/:id/quality_reports`: a browser's summary of its connection to one peer. */
export default class CallQualityReportsController {
  async store(ctx: HttpContext) {
    const user = ctx.auth.getUserOrFail()
    const call = await Call.findForMember(user, ctx.params.id)
    await ctx.bouncer.with(CallPolicy).authorize('reportQuality', call)
    const report = await ctx.request.validateUsing(callQualityReportValidator, { meta: { callId: call.id, userId: user.id } })
    await new RecordQualityReport().handle(call, user, report)
    return ctx.response.noContent()
  }
}
