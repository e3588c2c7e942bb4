#include "pantry/stream/kda_application.h"

#include "pantry/common/file_util.h"

namespace pantry::stream::kda {
namespace {

// ".../stream/NAME" or "...:function:NAME".
std::string ArnName(const std::string& arn) {
  size_t cut = arn.rfind('/');
  if (cut == std::string::npos) cut = arn.rfind(':');
  return cut == std::string::npos ? arn : arn.substr(cut + 1);
}

const Json* Member(const Json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

Status ParseColumns(const Json& cols, const std::string& where, ApplicationExport* out) {
  if (!cols.is_array()) return InvalidArgumentError(where + ": expected a list of RecordColumns");
  for (size_t i = 0; i < cols.size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    const Json& c = cols[i];
    if (!c.is_object()) return InvalidArgumentError(at + ": expected an object");
    InputColumn col;
    auto name = GetJsonString(c, "Name");
    if (!name.ok()) return name.status().WithContext(at);
    col.name = *name;
    if (c.contains("SqlType")) {
      ASSIGN_OR_RETURN(col.sql_type, GetJsonString(c, "SqlType"));
    }
    if (!c.contains("Mapping")) {
      return InvalidArgumentError(at + " (" + col.name +
                                  "): no Mapping; CSV input is not supported, pantry reads JSON");
    }
    ASSIGN_OR_RETURN(col.mapping, GetJsonString(c, "Mapping"));
    out->columns.push_back(std::move(col));
  }
  out->has_schema = true;
  return Status::Ok();
}

Status ParseSchema(const Json& schema, const std::string& where, ApplicationExport* out) {
  if (schema.is_array()) return ParseColumns(schema, where, out);
  if (const Json* format = Member(schema, "RecordFormat")) {
    const Json* type = Member(*format, "RecordFormatType");
    if (type != nullptr && type->is_string() && type->get<std::string>() != "JSON") {
      return InvalidArgumentError(where + ".RecordFormat.RecordFormatType: '" +
                                  type->get<std::string>() +
                                  "' is not supported (pantry reads JSON records)");
    }
    const Json* mapping = Member(*format, "MappingParameters");
    const Json* json_mapping =
        mapping != nullptr ? Member(*mapping, "JSONMappingParameters") : nullptr;
    const Json* row_path =
        json_mapping != nullptr ? Member(*json_mapping, "RecordRowPath") : nullptr;
    if (row_path != nullptr && row_path->is_string() && row_path->get<std::string>() != "$") {
      return InvalidArgumentError(where + ": RecordRowPath '" + row_path->get<std::string>() +
                                  "' is not supported (only \"$\", one record per event)");
    }
  }
  const Json* cols = Member(schema, "RecordColumns");
  if (cols == nullptr) return InvalidArgumentError(where + ": no RecordColumns");
  return ParseColumns(*cols, where + ".RecordColumns", out);
}

Status ParseInputs(const Json& inputs, const std::string& where, ApplicationExport* out) {
  if (!inputs.is_array()) return InvalidArgumentError(where + ": expected a list");
  if (inputs.size() > 1) {
    return InvalidArgumentError(where + ": " + std::to_string(inputs.size()) +
                                " inputs; pantry compiles applications with one input");
  }
  if (inputs.empty()) return Status::Ok();
  const Json& in = inputs[0];
  const std::string at = where + "[0]";
  if (const Json* names = Member(in, "InAppStreamNames");
      names != nullptr && names->is_array() && !names->empty() && (*names)[0].is_string()) {
    out->in_app_input = (*names)[0].get<std::string>();
  } else if (const Json* prefix = Member(in, "NamePrefix");
             prefix != nullptr && prefix->is_string()) {
    out->in_app_input = prefix->get<std::string>() + "_001";
  }
  for (const char* key : {"KinesisStreamsInputDescription", "KinesisStreamsInput",
                          "KinesisFirehoseInputDescription", "KinesisFirehoseInput"}) {
    const Json* src = Member(in, key);
    const Json* arn = src != nullptr ? Member(*src, "ResourceARN") : nullptr;
    if (arn != nullptr && arn->is_string()) out->input_stream = ArnName(arn->get<std::string>());
  }
  if (const Json* schema = Member(in, "InputSchema")) {
    return ParseSchema(*schema, at + ".InputSchema", out);
  }
  return Status::Ok();
}

void ParseOutputs(const Json& outputs, ApplicationExport* out) {
  if (!outputs.is_array()) return;
  for (const Json& o : outputs) {
    const Json* name = Member(o, "Name");
    if (name == nullptr || !name->is_string()) continue;
    std::string dest;
    for (const auto& [key, value] : o.items()) {
      const Json* arn = Member(value, "ResourceARN");
      if (arn != nullptr && arn->is_string()) dest = ArnName(arn->get<std::string>());
    }
    out->outputs.emplace_back(name->get<std::string>(), dest);
  }
}

Status ParseDetail(const Json& d, const std::string& where, ApplicationExport* out) {
  if (const Json* code = Member(d, "ApplicationCode"); code != nullptr && code->is_string()) {
    out->code = code->get<std::string>();
  }
  const Json* sql = &d;
  if (const Json* cfg = Member(d, "ApplicationConfigurationDescription")) {  // API v2
    const Json* code = Member(*cfg, "ApplicationCodeConfigurationDescription");
    const Json* content = code != nullptr ? Member(*code, "CodeContentDescription") : nullptr;
    const Json* text = content != nullptr ? Member(*content, "TextContent") : nullptr;
    if (text != nullptr && text->is_string()) out->code = text->get<std::string>();
    sql = Member(*cfg, "SqlApplicationConfigurationDescription");
    if (sql == nullptr) return Status::Ok();
  }
  for (const char* key : {"InputDescriptions", "Inputs"}) {
    if (const Json* inputs = Member(*sql, key)) {
      RETURN_IF_ERROR(ParseInputs(*inputs, where + "." + key, out));
    }
  }
  for (const char* key : {"OutputDescriptions", "Outputs"}) {
    if (const Json* outputs = Member(*sql, key)) ParseOutputs(*outputs, out);
  }
  return Status::Ok();
}

}  // namespace

StatusOr<ApplicationExport> ParseApplicationExport(const Json& json) {
  ApplicationExport out;
  if (json.is_array()) {
    RETURN_IF_ERROR(ParseColumns(json, "RecordColumns", &out));
    return out;
  }
  if (!json.is_object()) return InvalidArgumentError("expected a JSON object or list");
  if (const Json* d = Member(json, "ApplicationDetail")) {
    RETURN_IF_ERROR(ParseDetail(*d, "ApplicationDetail", &out));
  } else if (json.contains("RecordColumns")) {
    RETURN_IF_ERROR(ParseSchema(json, "InputSchema", &out));
  } else if (const Json* schema = Member(json, "InputSchema")) {
    RETURN_IF_ERROR(ParseSchema(*schema, "InputSchema", &out));
  } else {
    RETURN_IF_ERROR(ParseDetail(json, "application", &out));
  }
  if (out.code.empty() && !out.has_schema) {
    return InvalidArgumentError(
        "neither application code nor an input schema found (expected describe-application "
        "output, an InputSchema or a list of RecordColumns)");
  }
  return out;
}

StatusOr<std::vector<CompiledPump>> LoadApplication(const std::filesystem::path& app,
                                                    const std::filesystem::path& input_schema,
                                                    CompileOptions options) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(app));
  std::string code = text;
  const size_t first = text.find_first_not_of(" \t\r\n");
  std::vector<ApplicationExport> exports;
  if (first != std::string::npos && (text[first] == '{' || text[first] == '[')) {
    ASSIGN_OR_RETURN(Json json, ParseJson(text, app.string()));
    auto e = ParseApplicationExport(json);
    if (!e.ok()) return e.status().WithContext(app.string());
    if (e->code.empty()) return InvalidArgumentError(app.string() + ": no ApplicationCode in it");
    code = e->code;
    exports.push_back(std::move(*e));
  }
  if (!input_schema.empty()) {
    ASSIGN_OR_RETURN(Json json, ReadJsonFile(input_schema));
    auto e = ParseApplicationExport(json);
    if (!e.ok()) return e.status().WithContext(input_schema.string());
    if (!e->has_schema) return InvalidArgumentError(input_schema.string() + ": no input schema");
    exports.push_back(std::move(*e));
  }
  const CompileOptions defaults;
  for (const ApplicationExport& e : exports) {
    if (e.has_schema) options.input_columns = e.columns;
    if (!e.in_app_input.empty()) options.source_in_app = e.in_app_input;
    if (!e.input_stream.empty() && options.source_stream == defaults.source_stream) {
      options.source_stream = e.input_stream;
    }
  }
  auto compiled = CompileSql(code, options);
  if (!compiled.ok()) return compiled.status().WithContext(app.string());
  return compiled;
}

}  // namespace pantry::stream::kda
