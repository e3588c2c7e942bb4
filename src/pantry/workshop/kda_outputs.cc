#include "pantry/workshop/kda_outputs.h"

#include <algorithm>
#include <cctype>

#include "pantry/workshop/streams.h"

namespace pantry::workshop {

std::string OutputResourceName(const std::string& arn) {
  if (const size_t fn = arn.find(":function:"); fn != std::string::npos) {
    std::string name = arn.substr(fn + 10);
    if (const size_t colon = name.find(':'); colon != std::string::npos) name.resize(colon);
    return name;
  }
  if (const size_t slash = arn.rfind('/'); arn.starts_with("arn:") && slash != std::string::npos) {
    return arn.substr(slash + 1);
  }
  return arn;
}

std::string KdaOutputGroup(const std::map<std::string, std::string>& mapping,
                           const std::string& kind, const std::string& arn) {
  const std::string name = OutputResourceName(arn);
  for (const std::string& key : {arn, name}) {
    if (auto it = mapping.find(key); it != mapping.end()) return it->second;
  }
  if (kind != "LambdaOutput") return "";
  std::string folded;
  for (char c : name) {
    if (c != '-' && c != '_')
      folded += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return folded.find("clickstream") != std::string::npos ? std::string(kClickStream) : "";
}

Status AddKdaOutputMapping(const std::string& arg, std::map<std::string, std::string>* mapping) {
  const size_t eq = arg.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size()) {
    return InvalidArgumentError("--lambda-output '" + arg +
                                "': expected ARN_OR_FUNCTION_NAME=FEATURE_GROUP");
  }
  (*mapping)[arg.substr(0, eq)] = arg.substr(eq + 1);
  return Status::Ok();
}

}  // namespace pantry::workshop
