#include "pantry/common/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace pantry {

void InitLogging() {
  static bool initialised = [] {
    auto logger = spdlog::stderr_color_mt("pantry");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::info);
    return true;
  }();
  (void)initialised;
}

Status SetLogLevel(std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string(level));
  // from_str maps unknown names to "off"; only accept "off" when asked for.
  if (parsed == spdlog::level::off && level != "off") {
    return InvalidArgumentError("unknown log level '" + std::string(level) +
                                "' (use trace, debug, info, warn, error, critical or off)");
  }
  spdlog::set_level(parsed);
  return Status::Ok();
}

}  // namespace pantry
