import type { HttpContext } from '@adonisjs/core/http'
import Call from '#models/call'
import CallQuality from '#models/call_quality'
import SummarizeActivity from '#actions/admin/summarize_activity'
import { barChart } from '#helpers/bar_chart'

/**
 * The admins' Activity page and one call's quality in detail (docs/admin.md). The `admin`
 * middleware has already answered 404 to everyone else.
 */
export default class AdminActivityController {
  /** `GET /admin/activity`: calls, answer rate, connect times, TURN share, worst calls, chart. */
  async show({ view }: HttpContext) {
    const activity = await new SummarizeActivity().handle()
    const chart = barChart(
      activity.perDay.map(({ day, calls }) => ({
        key: day.toISODate()!,
        value: calls,
        label: day.toFormat('ccc d'),
        title: `${day.toFormat('cccc d LLLL')}: ${calls} ${calls === 1 ? 'call' : 'calls'}`,
      }))
    )
    return view.render('pages/admin/activity', { activity, chart })
  }

  /** `GET /admin/activity/calls/:id`: one call's connections, with the participants' names. */
  async call({ params, view }: HttpContext) {
    const call = await Call.query().where('id', params.id).preload('participants', (query) => query.preload('user')).firstOrFail()
    const connections = await CallQuality.query()
      .where('call_id', call.id)
      .preload('user')
      .preload('peer')
      .orderBy('user_id')
      .orderBy('peer_user_id')
    return view.render('pages/admin/call', { call, connections })
  }
}
