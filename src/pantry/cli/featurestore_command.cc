// Feature store commands: `pantry fg create|list|describe|add-features|
// delete`, `pantry ingest`, `pantry get`, `pantry put`, `pantry delete`,
// `pantry query`, `pantry dataset`. Thin: flags in, FeatureStore calls out.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "pantry/cli/command.h"
#include "pantry/common/csv.h"
#include "pantry/common/file_util.h"
#include "pantry/common/json.h"
#include "pantry/common/progress.h"
#include "pantry/common/time_format.h"
#include "pantry/featurestore/dataset_builder.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/featurestore/ingest.h"

namespace pantry::cli {
namespace {

namespace fs = std::filesystem;
using featurestore::FeatureDefinition;
using featurestore::FeatureGroupDefinition;
using featurestore::FeatureStore;
using featurestore::FeatureStoreOptions;
using featurestore::FeatureType;
using featurestore::FeatureValue;
using featurestore::Record;

StatusOr<std::unique_ptr<FeatureStore>> OpenStore(const GlobalOptions& globals,
                                                  bool read_only = false) {
  FeatureStoreOptions options;
  if (read_only) {
    options.home = globals.home();
    options.read_only = true;
    options.offline_only = true;
  } else {
    ASSIGN_OR_RETURN(options.home, globals.RequireHome());
  }
  options.clock = globals.clock();
  return FeatureStore::Open(options);
}

// Definitions from a JSON file: an array of {FeatureName, FeatureType} or an
// object with FeatureDefinitions.
StatusOr<std::vector<FeatureDefinition>> ReadDefinitions(const std::string& path) {
  ASSIGN_OR_RETURN(Json j, ReadJsonFile(path));
  const Json* defs = &j;
  if (j.is_object()) {
    auto it = j.find("FeatureDefinitions");
    if (it == j.end()) return InvalidArgumentError(path + ": no FeatureDefinitions array");
    defs = &*it;
  }
  if (!defs->is_array()) return InvalidArgumentError(path + ": expected an array of definitions");
  std::vector<FeatureDefinition> out;
  for (const Json& e : *defs) {
    if (!e.is_object()) return InvalidArgumentError(path + ": a definition is not an object");
    FeatureDefinition f;
    ASSIGN_OR_RETURN(f.name, GetJsonString(e, "FeatureName"));
    ASSIGN_OR_RETURN(std::string type, GetJsonString(e, "FeatureType"));
    auto t = featurestore::ParseFeatureType(type);
    if (!t.ok()) return t.status().WithContext(path + ": " + f.name);
    f.type = *t;
    out.push_back(std::move(f));
  }
  return out;
}

StatusOr<std::vector<FeatureDefinition>> InferFromCsv(const std::string& path) {
  ASSIGN_OR_RETURN(auto reader, CsvReader::Open(path));
  std::vector<std::vector<std::string>> rows;
  CsvRecord record;
  while (rows.size() < 10000) {
    ASSIGN_OR_RETURN(bool more, reader->ReadRecord(&record));
    if (!more) break;
    rows.emplace_back(record.fields().begin(), record.fields().end());
  }
  return featurestore::InferFeatureDefinitions(reader->header(), rows);
}

// ---- fg ------------------------------------------------------------------

struct CreateOptions {
  std::string name, record_id, event_time = "event_time", csv, definitions, ttl, description;
  bool no_online = false, no_offline = false;
};

Status RunCreate(const GlobalOptions& globals, const CreateOptions& o) {
  if (o.csv.empty() == o.definitions.empty()) {
    return InvalidArgumentError("give exactly one of --csv (infer definitions) or --definitions");
  }
  FeatureGroupDefinition def;
  def.name = o.name;
  def.record_identifier_name = o.record_id;
  def.event_time_name = o.event_time;
  def.online_enabled = !o.no_online;
  def.offline_enabled = !o.no_offline;
  def.description = o.description;
  if (!o.ttl.empty()) {
    auto ttl = ParseDurationMicros(o.ttl);
    if (!ttl.ok()) return ttl.status().WithContext("--ttl");
    def.ttl_micros = *ttl;
  }
  if (!o.csv.empty()) {
    ASSIGN_OR_RETURN(def.features, InferFromCsv(o.csv));
    // Like the workshop: a CSV without the event-time column gets an
    // event_time Fractional feature (fill it with `ingest --event-time-now`).
    if (def.FindFeature(def.event_time_name) == nullptr) {
      def.features.push_back({def.event_time_name, FeatureType::kFractional});
    } else if (def.FindFeature(def.event_time_name)->type == FeatureType::kIntegral) {
      // Integral Unix seconds in a sample: store as Fractional seconds.
      def.features[def.FeatureIndex(def.event_time_name)].type = FeatureType::kFractional;
    }
  } else {
    ASSIGN_OR_RETURN(def.features, ReadDefinitions(o.definitions));
  }
  ASSIGN_OR_RETURN(auto store, OpenStore(globals));
  RETURN_IF_ERROR(store->CreateFeatureGroup(def));
  ASSIGN_OR_RETURN(FeatureGroupDefinition created, store->DescribeFeatureGroup(o.name));
  std::cout << "created feature group " << o.name << " (" << created.features.size()
            << " features: ";
  for (size_t i = 0; i < created.features.size(); ++i) {
    std::cout << (i ? ", " : "") << created.features[i].name << " "
              << featurestore::FeatureTypeName(created.features[i].type);
  }
  std::cout << ")\n";
  return Status::Ok();
}

Status RunList(const GlobalOptions& globals) {
  ASSIGN_OR_RETURN(auto store, OpenStore(globals));
  auto groups = store->ListFeatureGroups();
  if (groups.empty()) {
    std::cout << "no feature groups\n";
    return Status::Ok();
  }
  for (const auto& g : groups) {
    std::cout << g.name << "  id=" << g.record_identifier_name
              << " event_time=" << g.event_time_name << " features=" << g.features.size()
              << (g.online_enabled ? " online" : "") << (g.offline_enabled ? " offline" : "");
    if (g.ttl_micros) std::cout << " ttl=" << *g.ttl_micros / 1000000 << "s";
    std::cout << "\n";
  }
  return Status::Ok();
}

Status RunDescribe(const GlobalOptions& globals, const std::string& name) {
  ASSIGN_OR_RETURN(auto store, OpenStore(globals));
  ASSIGN_OR_RETURN(FeatureGroupDefinition def, store->DescribeFeatureGroup(name));
  std::cout << def.ToJson(2) << "\n";
  return Status::Ok();
}

struct AddFeaturesOptions {
  std::string name, definitions;
  std::vector<std::string> features;  // name:Type
};

Status RunAddFeatures(const GlobalOptions& globals, const AddFeaturesOptions& o) {
  std::vector<FeatureDefinition> defs;
  if (!o.definitions.empty()) {
    ASSIGN_OR_RETURN(defs, ReadDefinitions(o.definitions));
  }
  for (const std::string& spec : o.features) {
    auto colon = spec.rfind(':');
    if (colon == std::string::npos) {
      return InvalidArgumentError("feature \"" + spec +
                                  "\": expected NAME:Integral|Fractional|String");
    }
    auto type = featurestore::ParseFeatureType(spec.substr(colon + 1));
    if (!type.ok()) return type.status().WithContext("feature \"" + spec + "\"");
    defs.push_back({spec.substr(0, colon), *type});
  }
  if (defs.empty())
    return InvalidArgumentError("no features given (NAME:TYPE ... or --definitions)");
  ASSIGN_OR_RETURN(auto store, OpenStore(globals));
  RETURN_IF_ERROR(store->AddFeatures(o.name, defs));
  std::cout << "added " << defs.size() << " feature(s) to " << o.name << "\n";
  return Status::Ok();
}

Status RunDeleteGroup(const GlobalOptions& globals, const std::string& name) {
  ASSIGN_OR_RETURN(auto store, OpenStore(globals));
  RETURN_IF_ERROR(store->DeleteFeatureGroup(name));
  std::cout << "deleted feature group " << name << "\n";
  return Status::Ok();
}

// ---- ingest --------------------------------------------------------------

struct IngestFlags {
  std::string name, csv, event_time_column;
  bool event_time_now = false, skip_bad_rows = false, report_commits = false;
  int workers = 1;
  int64_t batch_size = 10000;
};

Status RunIngest(const GlobalOptions& globals, const IngestFlags& f) {
  ASSIGN_OR_RETURN(auto store, OpenStore(globals));
  featurestore::IngestOptions options;
  options.batch_size = f.batch_size;
  options.event_time_now = f.event_time_now;
  options.event_time_column = f.event_time_column;
  options.workers = f.workers;
  options.skip_bad_rows = f.skip_bad_rows;
  std::error_code ec;
  const auto size = fs::file_size(f.csv, ec);
  ProgressBar bar("ingest " + f.name, ec ? 0 : static_cast<int64_t>(size));
  int64_t shown = 0;
  options.on_commit = [&](int64_t committed, int64_t bytes) {
    bar.Add(bytes - shown);
    shown = bytes;
    // Machine-readable acknowledgement: these rows are durable in both
    // stores (used by scripts and the crash test).
    if (f.report_commits) std::cout << "committed " << committed << std::endl;
  };
  const int64_t start = Clock::Real()->NowMicros();
  auto report = featurestore::IngestCsv(*store, f.name, f.csv, options);
  bar.Finish();
  if (!report.ok()) return report.status();
  const double secs = static_cast<double>(Clock::Real()->NowMicros() - start) / 1e6;
  char elapsed[32];
  std::snprintf(elapsed, sizeof(elapsed), "%.2f", secs);
  std::cout << "ingested " << report->rows_committed << " rows into " << f.name << " in " << elapsed
            << " s";
  if (secs > 0)
    std::cout << " (" << static_cast<int64_t>(report->rows_committed / secs) << " rows/s)";
  std::cout << "\n";
  if (report->rows_skipped > 0) {
    std::cout << "skipped " << report->rows_skipped << " bad rows; first reasons:\n";
    for (const std::string& e : report->first_errors) std::cout << "  " << e << "\n";
  }
  return Status::Ok();
}

// ---- get / put / delete --------------------------------------------------

std::string RecordJson(const Record& record) {
  OrderedJson list = OrderedJson::array();
  for (const auto& [name, value] : record.ToStrings()) {
    list.push_back({{"FeatureName", name}, {"ValueAsString", value}});
  }
  OrderedJson out;
  out["Record"] = std::move(list);
  return DumpJson(out, 2);
}

struct GetFlags {
  std::string name, id, features;
};

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size() && !s.empty()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Status RunGet(const GlobalOptions& globals, const GetFlags& f) {
  ASSIGN_OR_RETURN(auto store, OpenStore(globals));
  const std::vector<std::string> features = SplitComma(f.features);
  ASSIGN_OR_RETURN(std::optional<Record> record, store->GetRecord(f.name, f.id, features));
  if (!record) {
    return NotFoundError("record " + f.id + " not found in feature group " + f.name +
                         " (absent, deleted or expired)");
  }
  std::cout << RecordJson(*record) << "\n";
  return Status::Ok();
}

struct PutFlags {
  std::string name, record, ttl;
};

// Accepts {"feature": value, ...} or SageMaker's
// [{"FeatureName": ..., "ValueAsString": ...}, ...] (or {"Record": [...]}).
StatusOr<std::vector<std::pair<std::string, std::string>>> RecordPairs(const std::string& text) {
  ASSIGN_OR_RETURN(Json j, ParseJson(text, "--record"));
  if (j.is_object() && j.contains("Record")) j = j["Record"];
  std::vector<std::pair<std::string, std::string>> pairs;
  if (j.is_array()) {
    for (const Json& e : j) {
      if (!e.is_object()) return InvalidArgumentError("--record: list items must be objects");
      ASSIGN_OR_RETURN(std::string name, GetJsonString(e, "FeatureName"));
      ASSIGN_OR_RETURN(std::string value, GetJsonString(e, "ValueAsString"));
      pairs.emplace_back(std::move(name), std::move(value));
    }
    return pairs;
  }
  if (!j.is_object()) return InvalidArgumentError("--record: expected a JSON object or list");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const Json& v = it.value();
    if (v.is_null()) continue;
    if (v.is_string()) {
      pairs.emplace_back(it.key(), v.get<std::string>());
    } else if (v.is_number_integer()) {
      pairs.emplace_back(it.key(), v.dump());
    } else if (v.is_number()) {
      pairs.emplace_back(it.key(), FeatureValue::Double(v.get<double>()).ToString());
    } else {
      return InvalidArgumentError("--record: feature \"" + it.key() +
                                  "\" must be a string or a number");
    }
  }
  return pairs;
}

Status RunPut(const GlobalOptions& globals, const PutFlags& f) {
  std::string json = f.record;
  if (json.starts_with("@")) {
    ASSIGN_OR_RETURN(json, ReadFileToString(json.substr(1)));
  }
  ASSIGN_OR_RETURN(auto pairs, RecordPairs(json));
  std::optional<int64_t> ttl;
  if (!f.ttl.empty()) {
    auto t = ParseDurationMicros(f.ttl);
    if (!t.ok()) return t.status().WithContext("--ttl");
    ttl = *t;
  }
  ASSIGN_OR_RETURN(auto store, OpenStore(globals));
  ASSIGN_OR_RETURN(FeatureGroupDefinition def, store->DescribeFeatureGroup(f.name));
  ASSIGN_OR_RETURN(Record record, featurestore::ParseRecord(def, pairs));
  RETURN_IF_ERROR(store->PutRecord(f.name, record, ttl));
  std::cout << "put record " << record.Find(def.record_identifier_name)->ToString() << " into "
            << f.name << "\n";
  return Status::Ok();
}

struct DeleteFlags {
  std::string name, id, event_time;
  bool hard = false;
};

Status RunDelete(const GlobalOptions& globals, const DeleteFlags& f) {
  int64_t t = globals.clock()->NowMicros();
  if (!f.event_time.empty()) {
    auto parsed = ParseEventTimeMicros(f.event_time);
    if (!parsed.ok()) return parsed.status().WithContext("--event-time");
    t = *parsed;
  }
  ASSIGN_OR_RETURN(auto store, OpenStore(globals));
  RETURN_IF_ERROR(store->DeleteRecord(
      f.name, f.id, t, f.hard ? featurestore::DeleteMode::kHard : featurestore::DeleteMode::kSoft));
  std::cout << (f.hard ? "hard" : "soft") << "-deleted record " << f.id << " from " << f.name
            << "\n";
  return Status::Ok();
}

// ---- query ---------------------------------------------------------------

struct QueryFlags {
  std::string sql, format = "table";
};

Status RunQuery(const GlobalOptions& globals, const QueryFlags& f) {
  if (f.format != "table" && f.format != "csv" && f.format != "json") {
    return InvalidArgumentError("--format must be table, csv or json");
  }
  ASSIGN_OR_RETURN(auto store, OpenStore(globals, /*read_only=*/true));
  std::vector<std::string> columns;
  if (f.format == "csv") {
    bool header = false;
    std::string line;
    RETURN_IF_ERROR(store->QueryEach(f.sql, &columns, [&](std::span<const FeatureValue> row) {
      if (!header) {
        line.clear();
        for (size_t i = 0; i < columns.size(); ++i) {
          if (i) line.push_back(',');
          AppendCsvField(&line, columns[i]);
        }
        std::cout << line << "\n";
        header = true;
      }
      line.clear();
      for (size_t i = 0; i < row.size(); ++i) {
        if (i) line.push_back(',');
        AppendCsvField(&line, row[i].ToString());
      }
      std::cout << line << "\n";
      return Status::Ok();
    }));
    if (!header) {
      std::string h;
      for (size_t i = 0; i < columns.size(); ++i) {
        if (i) h.push_back(',');
        AppendCsvField(&h, columns[i]);
      }
      std::cout << h << "\n";
    }
    return Status::Ok();
  }
  if (f.format == "json") {
    RETURN_IF_ERROR(store->QueryEach(f.sql, &columns, [&](std::span<const FeatureValue> row) {
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
    }));
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(featurestore::QueryResult result, store->Query(f.sql));
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

// ---- dataset -------------------------------------------------------------

struct DatasetFlags {
  std::string base, base_event_time, max_age, out;
  std::vector<std::string> joins;
};

Status RunDataset(const GlobalOptions& globals, const DatasetFlags& f) {
  featurestore::DatasetSpec spec;
  if (f.base.ends_with(".csv") || fs::is_regular_file(f.base)) {
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
  ASSIGN_OR_RETURN(auto store, OpenStore(globals, /*read_only=*/true));
  ASSIGN_OR_RETURN(auto stats, featurestore::BuildDataset(*store, spec, f.out));
  std::cout << "wrote " << stats.base_rows << " rows to " << f.out;
  for (size_t i = 0; i < stats.matched.size(); ++i) {
    std::cout << "; " << spec.joins[i].feature_group << " matched " << stats.matched[i];
  }
  std::cout << "\n";
  return Status::Ok();
}

// ---- registration ----------------------------------------------------------

void Setup(CLI::App& app, const GlobalOptions& globals) {
  CLI::App* fg = app.add_subcommand("fg", "Manage feature groups");
  fg->require_subcommand(1);

  auto* create = new CreateOptions();
  CLI::App* c = fg->add_subcommand("create", "Create a feature group");
  c->add_option("name", create->name, "Feature group name")->required();
  c->add_option("--record-id", create->record_id, "Record identifier feature")->required();
  c->add_option("--event-time", create->event_time, "Event time feature (default event_time)");
  c->add_option("--csv", create->csv, "Infer definitions from this CSV");
  c->add_option("--definitions", create->definitions, "JSON feature definitions");
  c->add_option("--ttl", create->ttl, "Online record time to live, e.g. 7d");
  c->add_option("--description", create->description, "Description");
  c->add_flag("--no-online", create->no_online, "No online store");
  c->add_flag("--no-offline", create->no_offline, "No offline store");
  SetAction(c, [&globals, create] { return RunCreate(globals, *create); });

  CLI::App* l = fg->add_subcommand("list", "List feature groups");
  SetAction(l, [&globals] { return RunList(globals); });

  auto* describe_name = new std::string();
  CLI::App* d = fg->add_subcommand("describe", "Show a feature group as JSON");
  d->add_option("name", *describe_name, "Feature group name")->required();
  SetAction(d, [&globals, describe_name] { return RunDescribe(globals, *describe_name); });

  auto* add = new AddFeaturesOptions();
  CLI::App* a = fg->add_subcommand("add-features", "Add features to a feature group");
  a->add_option("name", add->name, "Feature group name")->required();
  a->add_option("features", add->features, "NAME:Integral|Fractional|String ...");
  a->add_option("--definitions", add->definitions, "JSON feature definitions");
  SetAction(a, [&globals, add] { return RunAddFeatures(globals, *add); });

  auto* delete_name = new std::string();
  CLI::App* del = fg->add_subcommand("delete", "Delete a feature group and all its records");
  del->add_option("name", *delete_name, "Feature group name")->required();
  SetAction(del, [&globals, delete_name] { return RunDeleteGroup(globals, *delete_name); });

  auto* ingest = new IngestFlags();
  CLI::App* i = app.add_subcommand("ingest", "Ingest a CSV into a feature group (both stores)");
  i->add_option("name", ingest->name, "Feature group name")->required();
  i->add_option("--csv", ingest->csv, "CSV file with a header")->required();
  auto* now = i->add_flag("--event-time-now", ingest->event_time_now,
                          "Stamp every row with the current time");
  i->add_option("--event-time-column", ingest->event_time_column,
                "CSV column holding the event time")
      ->excludes(now);
  i->add_option("--workers", ingest->workers, "Parsing threads (default 1)")
      ->check(CLI::Range(1, 64));
  i->add_option("--batch-size", ingest->batch_size, "Rows per committed batch (default 10000)")
      ->check(CLI::Range(int64_t{1}, int64_t{10000000}));
  i->add_flag("--skip-bad-rows", ingest->skip_bad_rows, "Skip invalid rows and report them");
  i->add_flag("--report-commits", ingest->report_commits,
              "Print \"committed N\" after every durable batch");
  SetAction(i, [&globals, ingest] { return RunIngest(globals, *ingest); });

  auto* get = new GetFlags();
  CLI::App* g = app.add_subcommand("get", "Read the latest online record");
  g->add_option("name", get->name, "Feature group name")->required();
  g->add_option("id", get->id, "Record identifier")->required();
  g->add_option("--features", get->features, "Comma-separated subset of features");
  SetAction(g, [&globals, get] { return RunGet(globals, *get); });

  auto* put = new PutFlags();
  CLI::App* p = app.add_subcommand("put", "Put one record");
  p->add_option("name", put->name, "Feature group name")->required();
  p->add_option("--record", put->record,
                "JSON: {\"feature\": value, ...} or [{\"FeatureName\":..,\"ValueAsString\":..}]; "
                "@FILE reads it from a file")
      ->required();
  p->add_option("--ttl", put->ttl, "Time to live of this record, e.g. 1h");
  SetAction(p, [&globals, put] { return RunPut(globals, *put); });

  auto* delete_flags = new DeleteFlags();
  CLI::App* dr = app.add_subcommand("delete", "Delete a record (soft by default)");
  dr->add_option("name", delete_flags->name, "Feature group name")->required();
  dr->add_option("id", delete_flags->id, "Record identifier")->required();
  dr->add_flag("--hard", delete_flags->hard, "Hard delete (remove the online record)");
  dr->add_option("--event-time", delete_flags->event_time,
                 "Event time of the delete (default now; Unix seconds or ISO-8601)");
  SetAction(dr, [&globals, delete_flags] { return RunDelete(globals, *delete_flags); });

  auto* query = new QueryFlags();
  CLI::App* q = app.add_subcommand("query", "Run read-only SQL over the offline store");
  q->add_option("sql", query->sql, "One SELECT statement")->required();
  q->add_option("--format", query->format, "table (default), csv or json");
  SetAction(q, [&globals, query] { return RunQuery(globals, *query); });

  auto* dataset = new DatasetFlags();
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

}  // namespace

PANTRY_REGISTER_COMMANDS(featurestore, Setup);

}  // namespace pantry::cli
