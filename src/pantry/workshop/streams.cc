#include "pantry/workshop/streams.h"

#include <utility>

#include "pantry/stream/feature_store_sink.h"

namespace pantry::workshop {
namespace {

namespace fs = std::filesystem;

// The spec texts live in stream/ (window_spec.h), whose own tests and
// benchmarks use them as the reference specs.
struct Builtin {
  std::string_view name;
  std::string_view (*json)();
};
constexpr Builtin kBuiltins[] = {{"workshop", &stream::WorkshopStaggerSpecJson},
                                 {"workshop-live", &stream::WorkshopSlidingSpecJson}};

}  // namespace

std::vector<std::string> BuiltinWindowSpecNames() {
  std::vector<std::string> names;
  for (const Builtin& b : kBuiltins) names.emplace_back(b.name);
  return names;
}

StatusOr<stream::WindowSpec> BuiltinWindowSpec(std::string_view name) {
  for (const Builtin& b : kBuiltins) {
    if (b.name == name) return stream::WindowSpec::FromString(b.json(), name);
  }
  return NotFoundError("no built-in window spec '" + std::string(name) +
                       "' (built-ins: workshop, workshop-live)");
}

StatusOr<stream::WindowSpec> LoadWindowSpec(const std::string& arg) {
  std::error_code ec;
  if (!fs::exists(arg, ec)) {
    auto builtin = BuiltinWindowSpec(arg);
    if (builtin.ok() || builtin.status().code() != StatusCode::kNotFound) return builtin;
  }
  return stream::WindowSpec::FromFile(arg);
}

StatusOr<stream::StreamServiceOptions> WorkshopStreamOptions(const fs::path& home,
                                                             featurestore::FeatureStore* store,
                                                             Clock* clock) {
  stream::StreamServiceOptions options;
  options.home = home;
  for (const Builtin& b : kBuiltins) {
    ASSIGN_OR_RETURN(stream::WindowSpec spec, stream::WindowSpec::FromString(b.json(), b.name));
    options.specs.push_back(std::move(spec));
  }
  options.sink_factory = stream::FeatureStoreSinkFactory(store);
  options.clock = clock;
  return options;
}

}  // namespace pantry::workshop
