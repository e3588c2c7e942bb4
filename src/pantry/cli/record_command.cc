// `pantry ingest`, `pantry get`, `pantry put`, `pantry delete`: records.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "pantry/cli/featurestore_commands.h"
#include "pantry/common/file_util.h"
#include "pantry/common/progress.h"
#include "pantry/common/time_format.h"
#include "pantry/featurestore/ingest.h"
#include "pantry/featurestore/record_json.h"

namespace pantry::cli {
namespace {

using featurestore::FeatureGroupDefinition;
using featurestore::Record;

struct IngestFlags {
  std::string name, csv, event_time_column;
  bool event_time_now = false, skip_bad_rows = false, report_commits = false;
  int workers = 1;
  int64_t batch_size = 10000;
};

void PrintIngestReport(const IngestFlags& f, const featurestore::IngestReport& report,
                       double secs) {
  char elapsed[32];
  std::snprintf(elapsed, sizeof(elapsed), "%.2f", secs);
  std::cout << "ingested " << report.rows_committed << " rows into " << f.name << " in " << elapsed
            << " s";
  if (secs > 0)
    std::cout << " (" << static_cast<int64_t>(report.rows_committed / secs) << " rows/s)";
  std::cout << "\n";
  if (report.rows_skipped > 0) {
    std::cout << "skipped " << report.rows_skipped << " bad rows; first reasons:\n";
    for (const std::string& e : report.first_errors) std::cout << "  " << e << "\n";
  }
}

Status RunIngest(const GlobalOptions& globals, const IngestFlags& f) {
  ASSIGN_OR_RETURN(auto store, OpenFeatureStore(globals));
  featurestore::IngestOptions options;
  options.batch_size = f.batch_size;
  options.event_time_now = f.event_time_now;
  options.event_time_column = f.event_time_column;
  options.workers = f.workers;
  options.skip_bad_rows = f.skip_bad_rows;
  std::error_code ec;
  const auto size = std::filesystem::file_size(f.csv, ec);
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
  PrintIngestReport(f, *report, static_cast<double>(Clock::Real()->NowMicros() - start) / 1e6);
  return Status::Ok();
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
  ASSIGN_OR_RETURN(auto store, OpenFeatureStore(globals));
  const std::vector<std::string> features = SplitComma(f.features);
  ASSIGN_OR_RETURN(std::optional<Record> record, store->GetRecord(f.name, f.id, features));
  if (!record) {
    return NotFoundError("record " + f.id + " not found in feature group " + f.name +
                         " (absent, deleted or expired)");
  }
  OrderedJson out = OrderedJson::object();
  out["Record"] = featurestore::RecordToJsonList(*record);
  std::cout << DumpJson(out, 2) << "\n";
  return Status::Ok();
}

struct PutFlags {
  std::string name, record, ttl;
};

Status RunPut(const GlobalOptions& globals, const PutFlags& f) {
  std::string json = f.record;
  if (json.starts_with("@")) {
    ASSIGN_OR_RETURN(json, ReadFileToString(json.substr(1)));
  }
  ASSIGN_OR_RETURN(featurestore::RecordStrings values,
                   featurestore::ParseRecordJson(json, "--record"));
  std::optional<int64_t> ttl;
  if (!f.ttl.empty()) {
    auto t = ParseDurationMicros(f.ttl);
    if (!t.ok()) return t.status().WithContext("--ttl");
    ttl = *t;
  }
  ASSIGN_OR_RETURN(auto store, OpenFeatureStore(globals));
  ASSIGN_OR_RETURN(FeatureGroupDefinition def, store->DescribeFeatureGroup(f.name));
  ASSIGN_OR_RETURN(Record record, featurestore::ParseRecord(def, values));
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
  ASSIGN_OR_RETURN(auto store, OpenFeatureStore(globals));
  RETURN_IF_ERROR(store->DeleteRecord(
      f.name, f.id, t, f.hard ? featurestore::DeleteMode::kHard : featurestore::DeleteMode::kSoft));
  std::cout << (f.hard ? "hard" : "soft") << "-deleted record " << f.id << " from " << f.name
            << "\n";
  return Status::Ok();
}

void AddIngestCommand(CLI::App& app, const GlobalOptions& globals) {
  auto* ingest = NewCommandFlags<IngestFlags>();
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
}

}  // namespace

void AddRecordCommands(CLI::App& app, const GlobalOptions& globals) {
  AddIngestCommand(app, globals);

  auto* get = NewCommandFlags<GetFlags>();
  CLI::App* g = app.add_subcommand("get", "Read the latest online record");
  g->add_option("name", get->name, "Feature group name")->required();
  g->add_option("id", get->id, "Record identifier")->required();
  g->add_option("--features", get->features, "Comma-separated subset of features");
  SetAction(g, [&globals, get] { return RunGet(globals, *get); });

  auto* put = NewCommandFlags<PutFlags>();
  CLI::App* p = app.add_subcommand("put", "Put one record");
  p->add_option("name", put->name, "Feature group name")->required();
  p->add_option("--record", put->record,
                "JSON: {\"feature\": value, ...} or [{\"FeatureName\":..,\"ValueAsString\":..}]; "
                "@FILE reads it from a file")
      ->required();
  p->add_option("--ttl", put->ttl, "Time to live of this record, e.g. 1h");
  SetAction(p, [&globals, put] { return RunPut(globals, *put); });

  auto* delete_flags = NewCommandFlags<DeleteFlags>();
  CLI::App* dr = app.add_subcommand("delete", "Delete a record (soft by default)");
  dr->add_option("name", delete_flags->name, "Feature group name")->required();
  dr->add_option("id", delete_flags->id, "Record identifier")->required();
  dr->add_flag("--hard", delete_flags->hard, "Hard delete (remove the online record)");
  dr->add_option("--event-time", delete_flags->event_time,
                 "Event time of the delete (default now; Unix seconds or ISO-8601)");
  SetAction(dr, [&globals, delete_flags] { return RunDelete(globals, *delete_flags); });
}

}  // namespace pantry::cli
