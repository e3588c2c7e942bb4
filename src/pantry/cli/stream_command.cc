// `pantry window` (offline replay of a window spec), `pantry stream append`
// and `pantry stream run`.
#include <csignal>
#include <fstream>
#include <iostream>

#include "pantry/cli/command.h"
#include "pantry/cli/sql_flags.h"
#include "pantry/common/json.h"
#include "pantry/common/logging.h"
#include "pantry/common/time_format.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/stream/event.h"
#include "pantry/stream/event_log.h"
#include "pantry/stream/feature_store_sink.h"
#include "pantry/stream/replay.h"
#include "pantry/stream/stream_service.h"
#include "pantry/stream/window_spec.h"
#include "pantry/workshop/streams.h"

namespace pantry::cli {
namespace {

namespace fs = std::filesystem;
using stream::WindowSpec;

// --spec (a file or a built-in name) and --sql (a KDA SQL application, one
// spec per pump) together: the specs to run.
StatusOr<std::vector<WindowSpec>> LoadSpecs(const std::vector<std::string>& spec_args,
                                            const SqlAppFlags& sql) {
  std::vector<WindowSpec> specs;
  for (const std::string& arg : spec_args) {
    ASSIGN_OR_RETURN(WindowSpec spec, workshop::LoadWindowSpec(arg));
    specs.push_back(std::move(spec));
  }
  if (!sql.app.empty()) {
    ASSIGN_OR_RETURN(auto pumps, CompileSqlApp(sql));
    for (stream::kda::CompiledPump& p : pumps) specs.push_back(std::move(p.spec));
  }
  return specs;
}

struct WindowOptions {
  std::string spec;
  SqlAppFlags sql;
  std::string events;
  size_t max_window_keys = stream::kDefaultMaxWindowKeys;
};

Status ReplayOne(const WindowSpec& spec, const WindowOptions& o) {
  std::ifstream in(o.events);
  if (!in) return IOError("cannot open " + o.events);
  stream::ReplayCallbacks callbacks;
  callbacks.on_row = [&spec](const stream::EmittedRow& row) {
    std::cout << DumpJson(stream::RowToJson(spec, row, false)) << "\n";
  };
  callbacks.on_reject = [&o](int64_t line, const stream::Rejection& r) {
    std::cerr << o.events << ":" << line << ": rejected (" << stream::RejectReasonName(r.reason)
              << "): " << r.message << "\n";
  };
  auto stats = stream::ReplayJsonLines(spec, in, callbacks, o.max_window_keys);
  if (!stats.ok()) return stats.status().WithContext(o.events);
  std::cout.flush();
  std::cerr << "window " << spec.name << ": " << stats->Summary() << "\n";
  return Status::Ok();
}

// Each spec (one, or one per pump of a SQL application) replays the file.
Status RunWindow(const WindowOptions& o) {
  if (o.spec.empty() == o.sql.app.empty()) {
    return InvalidArgumentError("window: give exactly one of --spec and --sql");
  }
  std::vector<std::string> spec_args;
  if (!o.spec.empty()) spec_args.push_back(o.spec);
  ASSIGN_OR_RETURN(std::vector<WindowSpec> specs, LoadSpecs(spec_args, o.sql));
  for (const WindowSpec& spec : specs) RETURN_IF_ERROR(ReplayOne(spec, o));
  return Status::Ok();
}

struct AppendOptions {
  std::string events;
  std::string stream = "click_stream";
  std::string key_field = "customer_id";
  int shards = 4;
  int batch = 500;
};

Status RunAppend(const GlobalOptions& globals, const AppendOptions& o) {
  ASSIGN_OR_RETURN(fs::path home, globals.RequireHome());
  stream::EventLogOptions log_options;
  log_options.shards = o.shards;
  log_options.clock = globals.clock();
  log_options.redis_url = globals.event_log_url();
  log_options.redis_password = globals.store_backends().online_password;
  ASSIGN_OR_RETURN(auto log, stream::EventLog::Open(home, o.stream, log_options));
  std::ifstream in(o.events);
  if (!in) return IOError("cannot open " + o.events);
  std::vector<std::string> lines, keys;
  std::vector<int64_t> arrivals;
  int64_t line_no = 0, appended = 0, skipped = 0, last_arrival = 0;
  auto flush = [&]() -> Status {
    std::vector<stream::AppendRecord> records;
    for (size_t i = 0; i < lines.size(); ++i) records.push_back({keys[i], lines[i], arrivals[i]});
    if (!records.empty()) {
      auto offsets = log->Append(records);
      if (!offsets.ok()) return offsets.status().WithContext(o.events);
      appended += static_cast<int64_t>(records.size());
    }
    lines.clear();
    keys.clear();
    arrivals.clear();
    return Status::Ok();
  };
  std::string line;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (line.size() > stream::kMaxEventBytes) {
      std::cerr << o.events << ":" << line_no << ": skipped: " << line.size()
                << " bytes, over the 1 MiB record limit\n";
      ++skipped;
      continue;
    }
    // The log stores payloads as they are (bad events are the processor's
    // business); only the partition key and the arrival time are read here.
    std::string key = "line-" + std::to_string(line_no);
    // A line without its own _arrival_time (even a bad one) takes the last
    // one seen, so a backfill's stamps do not depend on when it was appended.
    int64_t arrival = last_arrival;
    auto json = ParseJson(line, "event");
    if (json.ok() && json->is_object()) {
      auto k = json->find(o.key_field);
      if (k != json->end() && k->is_string() && !k->get_ref<const std::string&>().empty()) {
        key = k->get<std::string>();
      } else if (k != json->end() && k->is_number_integer()) {
        key = k->dump();
      }
      auto a = json->find("_arrival_time");
      if (a != json->end() && a->is_string()) {
        auto t = ParseIso8601Micros(a->get_ref<const std::string&>());
        if (!t.ok()) {
          return InvalidArgumentError(o.events + ":" + std::to_string(line_no) +
                                      ": field '_arrival_time': " + t.status().message());
        }
        arrival = *t;
        last_arrival = arrival;
      }
    }
    lines.push_back(std::move(line));
    keys.push_back(std::move(key));
    arrivals.push_back(arrival);
    if (static_cast<int>(lines.size()) >= o.batch) RETURN_IF_ERROR(flush());
  }
  if (in.bad()) return IOError("error reading " + o.events);
  RETURN_IF_ERROR(flush());
  std::cout << "appended " << appended << " events to stream " << o.stream << " ("
            << log->shard_count() << " shards)";
  if (skipped > 0) std::cout << ", skipped " << skipped;
  std::cout << "\n";
  return Status::Ok();
}

struct RunOptions {
  std::vector<std::string> specs;
  SqlAppFlags sql;
  std::string sink_dir;
  bool drain = false;
  int poll_ms = 20;
  int checkpoint_ms = 1000;
  int shards = 4;
  int read_batch = 10000;
  size_t max_window_keys = stream::kDefaultMaxWindowKeys;
};

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

Status RunStream(const GlobalOptions& globals, const RunOptions& o) {
  ASSIGN_OR_RETURN(fs::path home, globals.RequireHome());
  stream::StreamServiceOptions so;
  so.home = home;
  std::vector<std::string> spec_args = o.specs;
  if (spec_args.empty() && o.sql.app.empty()) spec_args = {"workshop", "workshop-live"};
  ASSIGN_OR_RETURN(so.specs, LoadSpecs(spec_args, o.sql));
  std::unique_ptr<featurestore::FeatureStore> store;
  std::string sink_name;
  if (!o.sink_dir.empty()) {
    so.sink_factory = stream::JsonLinesSinkFactory(o.sink_dir);
    sink_name = o.sink_dir;
  } else {
    featurestore::FeatureStoreOptions fo;
    fo.home = home;
    fo.clock = globals.clock();
    globals.ApplyStoreBackends(&fo);
    auto opened = featurestore::FeatureStore::Open(fo);
    if (!opened.ok()) {
      return opened.status().WithContext(
          "opening the feature store (is `pantry serve` running on this home? it runs the "
          "processor itself)");
    }
    store = std::move(*opened);
    so.sink_factory = stream::FeatureStoreSinkFactory(store.get());
    sink_name = "the feature store";
  }
  so.log_options.shards = o.shards;
  so.log_options.redis_url = globals.event_log_url();
  so.log_options.redis_password = globals.store_backends().online_password;
  so.poll_interval_ms = o.poll_ms;
  so.checkpoint_interval_micros = int64_t{o.checkpoint_ms} * 1000;
  so.max_records_per_read = static_cast<size_t>(std::max(1, o.read_batch));
  so.max_window_keys = o.max_window_keys;
  so.clock = globals.clock();
  ASSIGN_OR_RETURN(auto service, stream::StreamService::Create(std::move(so)));
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  PANTRY_LOG_INFO("stream run: {} spec(s), rows to {}{}", spec_args.size(), sink_name,
                  o.drain ? " (until the logs are consumed)" : " (until SIGTERM)");
  RETURN_IF_ERROR(service->Run([] { return g_stop.load(); }, o.drain));
  for (const auto& [name, st] : service->stats()) {
    std::string rejected;
    for (int i = 0; i < stream::kRejectReasonCount; ++i) {
      if (st.rejected[i] == 0) continue;
      rejected += " " +
                  std::string(stream::RejectReasonName(static_cast<stream::RejectReason>(i))) +
                  "=" + std::to_string(st.rejected[i]);
    }
    std::cout << name << ": " << st.records << " records, " << st.accepted << " accepted, "
              << st.rejected_total() << " rejected" << (rejected.empty() ? "" : " (") << rejected
              << (rejected.empty() ? "" : " )") << ", " << st.rows_delivered << " rows delivered\n";
  }
  return Status::Ok();
}

void Setup(CLI::App& app, const GlobalOptions& globals) {
  CLI::App* window = app.add_subcommand(
      "window", "Replay a window spec over a JSON-lines file and print the emitted rows");
  auto* wo = NewCommandFlags<WindowOptions>();
  window->add_option("--spec", wo->spec,
                     "Window spec JSON file (or the built-ins 'workshop', 'workshop-live')");
  window->add_option("--sql", wo->sql.app,
                     "A KDA SQL application (.sql or describe-application .json) instead of "
                     "--spec: each pump replays the file (docs/kda-sql.md)");
  AddSqlAppFlags(window, &wo->sql);
  window->add_option("--events", wo->events, "JSON lines; optional _arrival_time per line")
      ->required();
  window
      ->add_option("--max-window-keys", wo->max_window_keys,
                   "Keys with open window state kept; past it the least recently active key "
                   "is evicted (0: no cap; docs/stream.md)")
      ->capture_default_str();
  SetAction(window, [wo] { return RunWindow(*wo); });

  CLI::App* stream_cmd = app.add_subcommand("stream", "The click-stream event log and processor");
  stream_cmd->require_subcommand(1);

  CLI::App* append = stream_cmd->add_subcommand("append", "Append JSON-lines events to the log");
  auto* ao = NewCommandFlags<AppendOptions>();
  append->add_option("--events", ao->events, "JSON lines file")->required();
  append->add_option("--stream", ao->stream, "Stream name")->capture_default_str();
  append->add_option("--key-field", ao->key_field, "Field used as the partition key")
      ->capture_default_str();
  append->add_option("--shards", ao->shards, "Shard count when the stream is created")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  append->add_option("--batch", ao->batch, "Records per append (one fsync each)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  SetAction(append, [&globals, ao] { return RunAppend(globals, *ao); });

  CLI::App* run = stream_cmd->add_subcommand(
      "run", "Run the window processors until SIGTERM/SIGINT, then checkpoint and exit");
  auto* ro = NewCommandFlags<RunOptions>();
  run->add_option("--spec", ro->specs,
                  "Window spec files (repeatable; default: workshop and workshop-live)");
  run->add_option("--sql", ro->sql.app,
                  "A KDA SQL application (.sql or describe-application .json): its pumps run "
                  "beside any --spec (docs/kda-sql.md)");
  AddSqlAppFlags(run, &ro->sql);
  run->add_option("--sink-dir", ro->sink_dir,
                  "Write rows as JSON lines to DIR/<spec>.jsonl instead of the feature store");
  run->add_flag("--drain", ro->drain, "Exit once every log has been consumed");
  run->add_option("--poll-ms", ro->poll_ms, "Idle wait between polls")
      ->capture_default_str()
      ->check(CLI::Range(1, 60000));
  run->add_option("--checkpoint-ms", ro->checkpoint_ms,
                  "Minimum time between checkpoints (0 = after every poll)")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600000));
  run->add_option("--shards", ro->shards, "Shard count for streams created now")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  run->add_option("--read-batch", ro->read_batch, "Records read per shard per poll")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  run->add_option("--max-window-keys", ro->max_window_keys,
                  "Per spec, keys with open window state kept; past it the least recently "
                  "active key is evicted (0: no cap; docs/stream.md)")
      ->capture_default_str();
  SetAction(run, [&globals, ro] { return RunStream(globals, *ro); });
}

}  // namespace

PANTRY_REGISTER_COMMANDS(stream, Setup);

}  // namespace pantry::cli
