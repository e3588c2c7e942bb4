// Logging through spdlog (the one place it is included). Log lines go to
// stderr; stdout is kept for command output.
//
//   PANTRY_LOG_INFO("ingested {} rows into {}", rows, group);
#ifndef PANTRY_COMMON_LOGGING_H_
#define PANTRY_COMMON_LOGGING_H_

#include <string_view>

#include <spdlog/spdlog.h>

#include "pantry/common/status.h"

namespace pantry {

// Sets the global level: trace, debug, info, warn, error, critical or off.
Status SetLogLevel(std::string_view level);

// Installs the stderr logger; safe to call more than once.
void InitLogging();

}  // namespace pantry

#define PANTRY_LOG_TRACE(...) SPDLOG_TRACE(__VA_ARGS__)
#define PANTRY_LOG_DEBUG(...) ::spdlog::debug(__VA_ARGS__)
#define PANTRY_LOG_INFO(...) ::spdlog::info(__VA_ARGS__)
#define PANTRY_LOG_WARN(...) ::spdlog::warn(__VA_ARGS__)
#define PANTRY_LOG_ERROR(...) ::spdlog::error(__VA_ARGS__)

#endif  // PANTRY_COMMON_LOGGING_H_
