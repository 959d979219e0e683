/** Shows message times in the reader's own time zone (the server renders UTC). */
export function localizeTimes(root: ParentNode) {
  const format = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
  for (const element of root.querySelectorAll<HTMLTimeElement>('time[datetime]:not([data-localized])')) {
    const date = new Date(element.dateTime)
    if (Number.isNaN(date.getTime())) continue
    element.textContent = format.format(date)
    element.title = date.toLocaleString()
    element.dataset.localized = 'true'
  }
}
