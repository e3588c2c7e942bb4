// Reading a generated dataset's training evidence for retrieval models:
// the purchases a model may learn from, streamed row by row so that memory
// does not grow with the file sizes.
//
// The workshop's evidence: every row of orders.csv (training purchases)
// and the rows of click_stream_historical.csv with bought = 1 before the
// dataset's click_heldout_from (truth/summary.json). Optionally, non-bought
// click rows ("views") as weaker evidence.
#ifndef PANTRY_DATAGEN_PURCHASE_EVIDENCE_H_
#define PANTRY_DATAGEN_PURCHASE_EVIDENCE_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <string_view>

#include "pantry/common/status.h"

namespace pantry::datagen {

struct EvidenceOptions {
  // Click rows at or after this time are skipped (the held-out part):
  // GroundTruth::click_heldout_from_micros.
  int64_t clicks_before_micros = std::numeric_limits<int64_t>::max();
  float order_weight = 1;         // per orders.csv row; 0 = skip orders.csv
  float bought_click_weight = 1;  // per click row with bought = 1; 0 = skip
  float view_weight = 0;          // per click row with bought = 0; 0 = skip
};

// One row of evidence; the views are valid only during the callback.
struct EvidenceRow {
  std::string_view customer_id;
  std::string_view product_id;
  float weight = 0;
  int64_t time_micros = 0;
};

// Calls `fn` for every evidence row of DIR/orders.csv, then of
// DIR/click_stream_historical.csv, in file order. Errors name the file and
// line (missing columns, bad times or bought values); an error returned by
// `fn` stops the read and is returned.
Status ForEachEvidenceRow(const std::filesystem::path& dataset_dir, const EvidenceOptions& options,
                          const std::function<Status(const EvidenceRow&)>& fn);

}  // namespace pantry::datagen

#endif  // PANTRY_DATAGEN_PURCHASE_EVIDENCE_H_
