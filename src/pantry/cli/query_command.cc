// `pantry query` (read-only SQL over the offline store, printed as a table,
// CSV or JSON lines) and `pantry dataset` (point-in-time training CSV).
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <iostream>
#include <string>

#include "pantry/cli/featurestore_commands.h"
#include "pantry/common/csv.h"
#include "pantry/common/json.h"
#include "pantry/common/time_format.h"
#include "pantry/featurestore/dataset_builder.h"

namespace pantry::cli {
namespace {

using featurestore::FeatureValue;

struct QueryFlags {
  std::string sql, format = "table";
  std::string timeout = "60s", max_memory = "1G", max_length = "64M";
};

// "512M", "1G", "65536": bytes with an optional binary K, M or G suffix.
StatusOr<int64_t> ParseBytes(const std::string& text, const char* flag) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const size_t end = ec == std::errc() ? static_cast<size_t>(ptr - text.data()) : 0;
  std::string unit = text.substr(end);
  double scale = unit.empty() || unit == "B"   ? 1
                 : unit == "K" || unit == "KB" ? 1024.0
                 : unit == "M" || unit == "MB" ? 1024.0 * 1024
                 : unit == "G" || unit == "GB" ? 1024.0 * 1024 * 1024
                                               : 0;
  if (end == 0 || scale == 0 || !(value > 0) || value * scale > 1e15) {
    return InvalidArgumentError(std::string(flag) + " '" + text +
                                "': expected a positive size such as 512M or 1G");
  }
  return static_cast<int64_t>(value * scale);
}

StatusOr<featurestore::QueryLimits> Limits(const QueryFlags& f) {
  featurestore::QueryLimits limits;
  if (f.timeout != "0") {
    auto timeout = ParseDurationMicros(f.timeout);
    if (!timeout.ok()) return timeout.status().WithContext("--timeout");
    limits.timeout_ms = std::max<int64_t>(1, *timeout / 1000);
  }
  ASSIGN_OR_RETURN(limits.heap_limit_bytes, ParseBytes(f.max_memory, "--max-memory"));
  ASSIGN_OR_RETURN(limits.max_length_bytes, ParseBytes(f.max_length, "--max-length"));
  return limits;
}

// One CSV line of `cells`, each rendered by `text`.
template <typename T, typename ToText>
void PrintCsvLine(std::span<const T> cells, ToText text) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) line.push_back(',');
    AppendCsvField(&line, text(cells[i]));
  }
  std::cout << line << "\n";
}

Status PrintCsv(const featurestore::FeatureStore& store, const std::string& sql) {
  std::vector<std::string> columns;
  auto print_header = [&] {
    PrintCsvLine<std::string>(columns, [](const std::string& c) { return c; });
  };
  bool header = false;
  RETURN_IF_ERROR(store.QueryEach(sql, &columns, [&](std::span<const FeatureValue> row) {
    if (!header) print_header();
    header = true;
    PrintCsvLine<FeatureValue>(row, [](const FeatureValue& v) { return v.ToString(); });
    return Status::Ok();
  }));
  if (!header) print_header();
  return Status::Ok();
}

Status PrintJsonLines(const featurestore::FeatureStore& store, const std::string& sql) {
  std::vector<std::string> columns;
  return store.QueryEach(sql, &columns, [&](std::span<const FeatureValue> row) {
    OrderedJson o;
    for (size_t i = 0; i < row.size(); ++i) {
      const FeatureValue& v = row[i];
      if (v.is_int()) {
        o[columns[i]] = v.int_value();
      } else if (v.is_double()) {
        o[columns[i]] = v.double_value();
      } else if (v.is_string()) {
        o[columns[i]] = v.string_value();
      } else {
        o[columns[i]] = nullptr;
      }
    }
    std::cout << DumpJson(o) << "\n";
    return Status::Ok();
  });
}

Status PrintTable(const featurestore::FeatureStore& store, const std::string& sql) {
  ASSIGN_OR_RETURN(featurestore::QueryResult result, store.Query(sql));
  std::vector<size_t> width(result.column_names.size());
  for (size_t i = 0; i < width.size(); ++i) width[i] = result.column_names[i].size();
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : result.rows) {
    cells.emplace_back();
    for (size_t i = 0; i < row.size(); ++i) {
      cells.back().push_back(row[i].is_null() ? "NULL" : row[i].ToString());
      width[i] = std::max(width[i], cells.back().back().size());
    }
  }
  auto print_row = [&](const std::vector<std::string>& r) {
    for (size_t i = 0; i < r.size(); ++i) {
      std::cout << (i ? " | " : "") << r[i] << std::string(width[i] - r[i].size(), ' ');
    }
    std::cout << "\n";
  };
  print_row(result.column_names);
  for (size_t i = 0; i < width.size(); ++i) {
    std::cout << (i ? "-+-" : "") << std::string(width[i], '-');
  }
  std::cout << "\n";
  for (const auto& r : cells) print_row(r);
  std::cout << "(" << result.rows.size() << " row" << (result.rows.size() == 1 ? "" : "s") << ")\n";
  return Status::Ok();
}

Status RunQuery(const GlobalOptions& globals, const QueryFlags& f) {
  if (f.format != "table" && f.format != "csv" && f.format != "json") {
    return InvalidArgumentError("--format must be table, csv or json");
  }
  ASSIGN_OR_RETURN(featurestore::QueryLimits limits, Limits(f));
  ASSIGN_OR_RETURN(auto store, OpenFeatureStore(globals, /*read_only=*/true, limits));
  if (f.format == "csv") return PrintCsv(*store, f.sql);
  if (f.format == "json") return PrintJsonLines(*store, f.sql);
  return PrintTable(*store, f.sql);
}

struct DatasetFlags {
  std::string base, base_event_time, max_age, out;
  std::vector<std::string> joins;
};

Status RunDataset(const GlobalOptions& globals, const DatasetFlags& f) {
  featurestore::DatasetSpec spec;
  if (f.base.ends_with(".csv") || std::filesystem::is_regular_file(f.base)) {
    spec.base_csv = f.base;
  } else {
    spec.base_group = f.base;
  }
  spec.base_event_time_column = f.base_event_time;
  for (const std::string& j : f.joins) {
    auto colon = j.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == j.size()) {
      return InvalidArgumentError("--join \"" + j + "\": expected GROUP:KEY_COLUMN");
    }
    spec.joins.push_back({j.substr(0, colon), j.substr(colon + 1), {}});
  }
  if (!f.max_age.empty()) {
    auto age = ParseDurationMicros(f.max_age);
    if (!age.ok()) return age.status().WithContext("--max-age");
    spec.max_age_micros = *age;
  }
  ASSIGN_OR_RETURN(auto store, OpenFeatureStore(globals, /*read_only=*/true));
  ASSIGN_OR_RETURN(auto stats, featurestore::BuildDataset(*store, spec, f.out));
  std::cout << "wrote " << stats.base_rows << " rows to " << f.out;
  for (size_t i = 0; i < stats.matched.size(); ++i) {
    std::cout << "; " << spec.joins[i].feature_group << " matched " << stats.matched[i];
  }
  std::cout << "\n";
  return Status::Ok();
}

}  // namespace

void AddQueryCommands(CLI::App& app, const GlobalOptions& globals) {
  auto* query = NewCommandFlags<QueryFlags>();
  CLI::App* q = app.add_subcommand("query", "Run read-only SQL over the offline store");
  q->add_option("sql", query->sql, "One SELECT statement")->required();
  q->add_option("--format", query->format, "table (default), csv or json");
  q->add_option("--timeout", query->timeout, "Stop the query after this long, e.g. 10s (0 = never)")
      ->capture_default_str();
  q->add_option("--max-memory", query->max_memory, "SQLite heap ceiling, e.g. 512M")
      ->capture_default_str();
  q->add_option("--max-length", query->max_length, "Longest string or blob a query may build")
      ->capture_default_str();
  SetAction(q, [&globals, query] { return RunQuery(globals, *query); });

  auto* dataset = NewCommandFlags<DatasetFlags>();
  CLI::App* ds = app.add_subcommand("dataset", "Build a point-in-time correct training CSV");
  ds->add_option("--base", dataset->base, "Base feature group, or a CSV of ids + event times")
      ->required();
  ds->add_option("--base-event-time", dataset->base_event_time,
                 "Event-time column of a base CSV (default event_time)");
  ds->add_option("--join", dataset->joins, "GROUP:KEY_COLUMN (repeatable)");
  ds->add_option("--max-age", dataset->max_age, "Ignore feature rows older than this, e.g. 30d");
  ds->add_option("--out", dataset->out, "Output CSV")->required();
  SetAction(ds, [&globals, dataset] { return RunDataset(globals, *dataset); });
}

}  // namespace pantry::cli
