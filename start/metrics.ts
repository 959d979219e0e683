/*
| Prometheus metrics (`GET /metrics`, docs/deploy.md). Process and event-loop metrics are
| collected from boot, only in processes that serve HTTP; Confab's own metrics register with
| their modules under app/metrics/.
*/
import { collectProcessMetrics } from '#metrics/registry'
// The browsers' call quality metrics, registered at boot: /metrics shows them (at 0) before the first report.
import '#metrics/call_quality_metrics'
// Voice and video uploads, at 0 before the first one.
import '#metrics/media_metrics'

collectProcessMetrics()