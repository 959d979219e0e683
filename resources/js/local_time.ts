/**
 * Shows times in the reader's own time zone (the server renders UTC): message times as hours and
 * minutes, `data-format="datetime"` ones (call history) with the date too.
 */
export function localizeTimes(root: ParentNode) {
  const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
  const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
  for (const element of root.querySelectorAll<HTMLTimeElement>('time[datetime]:not([data-localized])')) {
    const date = new Date(element.dateTime)
    if (Number.isNaN(date.getTime())) continue
    element.textContent = (element.dataset.format === 'datetime' ? dateTime : time).format(date)
    element.title = date.toLocaleString()
    element.dataset.localized = 'true'
  }
}
