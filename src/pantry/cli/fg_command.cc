// `pantry fg create|list|describe|add-features|delete`: feature groups.
#include <iostream>

#include "pantry/cli/featurestore_commands.h"
#include "pantry/common/file_util.h"
#include "pantry/common/time_format.h"
#include "pantry/featurestore/ingest.h"

namespace pantry::cli {
namespace {

using featurestore::FeatureDefinition;
using featurestore::FeatureGroupDefinition;

StatusOr<std::vector<FeatureDefinition>> ReadDefinitions(const std::string& path) {
  ASSIGN_OR_RETURN(std::string json, ReadFileToString(path));
  return featurestore::ParseFeatureDefinitions(json, path);
}

struct CreateFlags {
  std::string name, record_id, event_time = "event_time", csv, definitions, ttl, description;
  bool no_online = false, no_offline = false;
};

Status RunCreate(const GlobalOptions& globals, const CreateFlags& f) {
  if (f.csv.empty() == f.definitions.empty()) {
    return InvalidArgumentError("give exactly one of --csv (infer definitions) or --definitions");
  }
  FeatureGroupDefinition def;
  def.name = f.name;
  def.record_identifier_name = f.record_id;
  def.event_time_name = f.event_time;
  def.online_enabled = !f.no_online;
  def.offline_enabled = !f.no_offline;
  def.description = f.description;
  if (!f.ttl.empty()) {
    auto ttl = ParseDurationMicros(f.ttl);
    if (!ttl.ok()) return ttl.status().WithContext("--ttl");
    def.ttl_micros = *ttl;
  }
  if (!f.csv.empty()) {
    ASSIGN_OR_RETURN(def.features,
                     featurestore::InferFeatureDefinitionsFromCsv(f.csv, def.event_time_name));
  } else {
    ASSIGN_OR_RETURN(def.features, ReadDefinitions(f.definitions));
  }
  ASSIGN_OR_RETURN(auto store, OpenFeatureStore(globals));
  RETURN_IF_ERROR(store->CreateFeatureGroup(def));
  ASSIGN_OR_RETURN(FeatureGroupDefinition created, store->DescribeFeatureGroup(f.name));
  std::cout << "created feature group " << f.name << " (" << created.features.size()
            << " features: ";
  for (size_t i = 0; i < created.features.size(); ++i) {
    std::cout << (i ? ", " : "") << created.features[i].name << " "
              << featurestore::FeatureTypeName(created.features[i].type);
  }
  std::cout << ")\n";
  return Status::Ok();
}

Status RunList(const GlobalOptions& globals) {
  ASSIGN_OR_RETURN(auto store, OpenFeatureStore(globals));
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
  ASSIGN_OR_RETURN(auto store, OpenFeatureStore(globals));
  ASSIGN_OR_RETURN(FeatureGroupDefinition def, store->DescribeFeatureGroup(name));
  std::cout << def.ToJson(2) << "\n";
  return Status::Ok();
}

struct AddFeaturesFlags {
  std::string name, definitions;
  std::vector<std::string> features;  // name:Type
};

Status RunAddFeatures(const GlobalOptions& globals, const AddFeaturesFlags& f) {
  std::vector<FeatureDefinition> defs;
  if (!f.definitions.empty()) {
    ASSIGN_OR_RETURN(defs, ReadDefinitions(f.definitions));
  }
  for (const std::string& spec : f.features) {
    ASSIGN_OR_RETURN(FeatureDefinition def, featurestore::ParseFeatureSpec(spec));
    defs.push_back(std::move(def));
  }
  if (defs.empty())
    return InvalidArgumentError("no features given (NAME:TYPE ... or --definitions)");
  ASSIGN_OR_RETURN(auto store, OpenFeatureStore(globals));
  RETURN_IF_ERROR(store->AddFeatures(f.name, defs));
  std::cout << "added " << defs.size() << " feature(s) to " << f.name << "\n";
  return Status::Ok();
}

Status RunDeleteGroup(const GlobalOptions& globals, const std::string& name) {
  ASSIGN_OR_RETURN(auto store, OpenFeatureStore(globals));
  RETURN_IF_ERROR(store->DeleteFeatureGroup(name));
  std::cout << "deleted feature group " << name << "\n";
  return Status::Ok();
}

// A subcommand that takes only a feature group name.
void AddNamedCommand(CLI::App* fg, const char* name, const char* help, const GlobalOptions& globals,
                     Status (*run)(const GlobalOptions&, const std::string&)) {
  auto* group = NewCommandFlags<std::string>();
  CLI::App* command = fg->add_subcommand(name, help);
  command->add_option("name", *group, "Feature group name")->required();
  SetAction(command, [&globals, group, run] { return run(globals, *group); });
}

}  // namespace

void AddFeatureGroupCommands(CLI::App& app, const GlobalOptions& globals) {
  CLI::App* fg = app.add_subcommand("fg", "Manage feature groups");
  fg->require_subcommand(1);

  auto* create = NewCommandFlags<CreateFlags>();
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

  AddNamedCommand(fg, "describe", "Show a feature group as JSON", globals, RunDescribe);

  auto* add = NewCommandFlags<AddFeaturesFlags>();
  CLI::App* a = fg->add_subcommand("add-features", "Add features to a feature group");
  a->add_option("name", add->name, "Feature group name")->required();
  a->add_option("features", add->features, "NAME:Integral|Fractional|String ...");
  a->add_option("--definitions", add->definitions, "JSON feature definitions");
  SetAction(a, [&globals, add] { return RunAddFeatures(globals, *add); });

  AddNamedCommand(fg, "delete", "Delete a feature group and all its records", globals,
                  RunDeleteGroup);
}

}  // namespace pantry::cli
