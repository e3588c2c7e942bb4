// `pantry generate`: writes a synthetic online-grocer dataset whose hidden
// preference model is known, plus that truth (docs/datagen.md).
//
// Output is byte-identical for the same options whatever `threads` is: work
// is split into fixed chunks, each with its own generator seeded from
// (seed, chunk or entity index), and chunks are written in order.
//
// Completeness rule: files are generated inside DIR/.generate-partial-*/ and
// moved into DIR only after everything succeeded, truth/ (with
// truth/summary.json) last. A dataset folder is complete if and only if
// truth/summary.json exists. On any error the partial folder is removed.
#ifndef PANTRY_DATAGEN_GENERATOR_H_
#define PANTRY_DATAGEN_GENERATOR_H_

#include <cstdint>
#include <filesystem>
#include <string>

#include "pantry/common/json.h"
#include "pantry/common/status.h"

namespace pantry::datagen {

struct GenerateOptions {
  std::filesystem::path out;
  int64_t customers = 10000;
  int64_t products = 17000;
  int64_t orders_per_customer = 10;  // mean purchases per customer, held-out ones included
  int64_t click_rows = 1000000;
  uint64_t seed = 42;
  int64_t days = 180;             // time span, ending at 2026-11-01T00:00:00Z
  int threads = 0;                // 0 = std::thread::hardware_concurrency()
  int64_t eval_customers = 2000;  // sample size for the oracle/popularity recall
  bool overwrite = false;         // replace an existing dataset in `out`
};

// InvalidArgument naming the flag for impossible options.
Status ValidateGenerateOptions(const GenerateOptions& options);

// Generates the dataset into options.out (created if missing). Fails with
// AlreadyExists if `out` already holds a dataset and !overwrite. Returns the
// contents of truth/summary.json. Not thread-safe with another Generate
// into the same folder.
StatusOr<OrderedJson> GenerateDataset(const GenerateOptions& options);

}  // namespace pantry::datagen

#endif  // PANTRY_DATAGEN_GENERATOR_H_
