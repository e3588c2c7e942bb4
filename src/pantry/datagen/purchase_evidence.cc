#include "pantry/datagen/purchase_evidence.h"

#include "pantry/common/csv.h"
#include "pantry/common/time_format.h"

namespace pantry::datagen {

Status ForEachEvidenceRow(const std::filesystem::path& dir, const EvidenceOptions& options,
                          const std::function<Status(const EvidenceRow&)>& fn) {
  CsvRecord record;
  if (options.order_weight > 0) {
    ASSIGN_OR_RETURN(auto reader, CsvReader::Open(dir / "orders.csv"));
    ASSIGN_OR_RETURN(size_t customer, reader->RequireColumn("customer_id"));
    ASSIGN_OR_RETURN(size_t product, reader->RequireColumn("product_id"));
    ASSIGN_OR_RETURN(size_t time, reader->RequireColumn("event_time"));
    while (true) {
      ASSIGN_OR_RETURN(bool more, reader->ReadRecord(&record));
      if (!more) break;
      auto t = ParseIso8601Micros(record[time]);
      if (!t.ok()) return t.status().WithContext(reader->Location(record, time));
      RETURN_IF_ERROR(fn({record[customer], record[product], options.order_weight, *t}));
    }
  }
  if (options.bought_click_weight <= 0 && options.view_weight <= 0) return Status::Ok();
  ASSIGN_OR_RETURN(auto reader, CsvReader::Open(dir / "click_stream_historical.csv"));
  ASSIGN_OR_RETURN(size_t customer, reader->RequireColumn("customer_id"));
  ASSIGN_OR_RETURN(size_t product, reader->RequireColumn("product_id"));
  ASSIGN_OR_RETURN(size_t bought, reader->RequireColumn("bought"));
  ASSIGN_OR_RETURN(size_t time, reader->RequireColumn("event_time"));
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->ReadRecord(&record));
    if (!more) break;
    const std::string_view b = record[bought];
    if (b != "0" && b != "1") {
      return InvalidArgumentError(reader->Location(record, bought) + ": bought must be 0 or 1");
    }
    const float weight = b == "1" ? options.bought_click_weight : options.view_weight;
    if (weight <= 0) continue;
    auto t = ParseIso8601Micros(record[time]);
    if (!t.ok()) return t.status().WithContext(reader->Location(record, time));
    if (*t >= options.clicks_before_micros) continue;
    RETURN_IF_ERROR(fn({record[customer], record[product], weight, *t}));
  }
  return Status::Ok();
}

}  // namespace pantry::datagen
