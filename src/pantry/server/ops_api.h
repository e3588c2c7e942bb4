// Operations routes: GET /healthz (the process answers), GET /readyz
// (every readiness check passes: stores open, models loaded) and
// GET /metrics (Prometheus text format 0.0.4).
#ifndef PANTRY_SERVER_OPS_API_H_
#define PANTRY_SERVER_OPS_API_H_

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "pantry/common/metrics.h"
#include "pantry/common/status.h"
#include "pantry/server/http_service.h"

namespace pantry::server {

// Named readiness checks, evaluated on every GET /readyz. A check returns OK
// when its part is ready, else a status whose message says why not. Checks
// must be thread-safe and cheap (no I/O beyond a flag or a stat). Thread-safe.
class ReadinessChecks {
 public:
  using Check = std::function<Status()>;

  void Add(std::string name, Check check);

  struct Result {
    bool ready = true;
    std::vector<std::pair<std::string, Status>> checks;
  };
  Result Evaluate() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, Check>> checks_;
};

// `readiness` and `metrics` must outlive the service. /healthz and /readyz
// never need credentials (load balancers probe them); /metrics does when
// authentication is on, unless `metrics_public`.
Status RegisterOpsApi(HttpService* service, const ReadinessChecks* readiness,
                      MetricsRegistry* metrics = &MetricsRegistry::Default(),
                      bool metrics_public = false);

}  // namespace pantry::server

#endif  // PANTRY_SERVER_OPS_API_H_
