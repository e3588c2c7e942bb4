#include "pantry/models/fm_hyperparameters.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <vector>

#include "pantry/models/model_json.h"

namespace pantry::models {
namespace {

template <typename T>
Status ParseInto(std::string_view name, std::string_view text, T* out) {
  T value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return InvalidArgumentError("hyperparameter " + std::string(name) + ": '" + std::string(text) +
                                "' is not a valid number");
  }
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(value)) {
      return InvalidArgumentError("hyperparameter " + std::string(name) + " must be finite");
    }
  }
  *out = value;
  return Status::Ok();
}

// The numeric hyperparameters, in the order Set() lists them when a name is
// unknown. One table so that parsing, range checks and the JSON form cannot
// drift apart.
struct IntField {
  const char* name;
  int FmHyperparameters::*member;
};
constexpr IntField kIntFields[] = {
    {"num_factors", &FmHyperparameters::num_factors},
    {"epochs", &FmHyperparameters::epochs},
    {"mini_batch_size", &FmHyperparameters::mini_batch_size},
    {"num_threads", &FmHyperparameters::num_threads},
    {"early_stopping_patience", &FmHyperparameters::early_stopping_patience},
};

struct DoubleField {
  const char* name;
  double FmHyperparameters::*member;
  // Validate() requires a finite number >= 0; the others (eps, beta1, beta2)
  // have ranges of their own.
  bool non_negative;
};
constexpr DoubleField kDoubleFields[] = {
    {"bias_lr", &FmHyperparameters::bias_lr, true},
    {"linear_lr", &FmHyperparameters::linear_lr, true},
    {"factors_lr", &FmHyperparameters::factors_lr, true},
    {"bias_wd", &FmHyperparameters::bias_wd, true},
    {"linear_wd", &FmHyperparameters::linear_wd, true},
    {"factors_wd", &FmHyperparameters::factors_wd, true},
    {"bias_init_sigma", &FmHyperparameters::bias_init_sigma, true},
    {"linear_init_sigma", &FmHyperparameters::linear_init_sigma, true},
    {"factors_init_sigma", &FmHyperparameters::factors_init_sigma, true},
    {"clip_gradient", &FmHyperparameters::clip_gradient, true},
    {"eps", &FmHyperparameters::eps, false},
    {"beta1", &FmHyperparameters::beta1, false},
    {"beta2", &FmHyperparameters::beta2, false},
    {"early_stopping_tolerance", &FmHyperparameters::early_stopping_tolerance, true},
};

struct Field {
  const char* name;
  std::function<Status(FmHyperparameters*, std::string_view)> set;
};

const std::vector<Field>& Fields() {
  static const std::vector<Field> fields = [] {
    std::vector<Field> f;
    f.push_back({"predictor_type", [](FmHyperparameters* h, std::string_view v) {
                   if (v == "regressor") {
                     h->predictor_type = PredictorType::kRegressor;
                   } else if (v == "binary_classifier") {
                     h->predictor_type = PredictorType::kBinaryClassifier;
                   } else {
                     return InvalidArgumentError("hyperparameter predictor_type: '" +
                                                 std::string(v) +
                                                 "' is not regressor or binary_classifier");
                   }
                   return Status::Ok();
                 }});
    f.push_back({"optimizer", [](FmHyperparameters* h, std::string_view v) {
                   if (v == "sgd") {
                     h->optimizer = FmOptimizer::kSgd;
                   } else if (v == "adagrad") {
                     h->optimizer = FmOptimizer::kAdagrad;
                   } else if (v == "adam") {
                     h->optimizer = FmOptimizer::kAdam;
                   } else {
                     return InvalidArgumentError("hyperparameter optimizer: '" + std::string(v) +
                                                 "' is not sgd, adagrad or adam");
                   }
                   return Status::Ok();
                 }});
    f.push_back({"seed", [](FmHyperparameters* h, std::string_view v) {
                   return ParseInto("seed", v, &h->seed);
                 }});
    for (const IntField& field : kIntFields) {
      f.push_back({field.name, [field](FmHyperparameters* h, std::string_view v) {
                     return ParseInto(field.name, v, &(h->*field.member));
                   }});
    }
    for (const DoubleField& field : kDoubleFields) {
      f.push_back({field.name, [field](FmHyperparameters* h, std::string_view v) {
                     return ParseInto(field.name, v, &(h->*field.member));
                   }});
    }
    return f;
  }();
  return fields;
}

}  // namespace

std::string_view PredictorTypeName(PredictorType type) {
  return type == PredictorType::kRegressor ? "regressor" : "binary_classifier";
}

std::string_view FmOptimizerName(FmOptimizer optimizer) {
  switch (optimizer) {
    case FmOptimizer::kSgd:
      return "sgd";
    case FmOptimizer::kAdagrad:
      return "adagrad";
    case FmOptimizer::kAdam:
      return "adam";
  }
  return "?";
}

Status FmHyperparameters::Set(std::string_view name, std::string_view value) {
  std::string known;
  for (const Field& field : Fields()) {
    if (field.name == name) return field.set(this, value);
    if (!known.empty()) known += ", ";
    known += field.name;
  }
  return InvalidArgumentError("unknown factorization machine hyperparameter '" + std::string(name) +
                              "' (known: " + known + ")");
}

StatusOr<FmHyperparameters> FmHyperparameters::FromMap(
    const std::map<std::string, std::string>& values) {
  FmHyperparameters h;
  for (const auto& [name, value] : values) RETURN_IF_ERROR(h.Set(name, value));
  RETURN_IF_ERROR(h.Validate());
  return h;
}

Status FmHyperparameters::Validate() const {
  auto fail = [](const std::string& what) {
    return InvalidArgumentError("hyperparameter " + what);
  };
  if (num_factors < 1 || num_factors > 4096) return fail("num_factors must be in [1, 4096]");
  if (epochs < 1) return fail("epochs must be at least 1");
  if (mini_batch_size < 1) return fail("mini_batch_size must be at least 1");
  if (num_threads < 0) return fail("num_threads must be >= 0 (0 = all cores)");
  if (early_stopping_patience < 0) return fail("early_stopping_patience must be >= 0");
  for (const DoubleField& field : kDoubleFields) {
    const double value = this->*field.member;
    if (field.non_negative && (!(value >= 0) || !std::isfinite(value))) {
      return fail(std::string(field.name) + " must be a finite non-negative number");
    }
  }
  if (!(eps > 0)) return fail("eps must be positive");
  if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
    return fail("beta1 and beta2 must be in [0, 1)");
  }
  return Status::Ok();
}

Json ModelJson::ToJson(const FmHyperparameters& h) {
  Json json{{"predictor_type", PredictorTypeName(h.predictor_type)},
            {"optimizer", FmOptimizerName(h.optimizer)},
            {"seed", std::to_string(h.seed)}};
  for (const IntField& field : kIntFields) json[field.name] = h.*field.member;
  for (const DoubleField& field : kDoubleFields) json[field.name] = h.*field.member;
  return json;
}

StatusOr<FmHyperparameters> ModelJson::HyperparametersFromJson(const Json& json) {
  if (!json.is_object()) return InvalidArgumentError("hyperparameters must be a JSON object");
  std::map<std::string, std::string> values;
  for (const auto& [name, value] : json.items()) {
    if (value.is_string()) {
      values[name] = value.get<std::string>();
    } else if (value.is_number_integer()) {
      values[name] = std::to_string(value.get<int64_t>());
    } else if (value.is_number()) {
      char buffer[64];
      auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value.get<double>());
      values[name] = std::string(buffer, ptr);
    } else {
      return InvalidArgumentError("hyperparameter " + name + ": expected a number or string");
    }
  }
  return FmHyperparameters::FromMap(values);
}

}  // namespace pantry::models
