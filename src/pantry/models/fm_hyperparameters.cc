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

struct Field {
  const char* name;
  std::function<Status(FmHyperparameters*, std::string_view)> set;
};

const std::vector<Field>& Fields() {
  static const std::vector<Field> fields = [] {
    std::vector<Field> f;
    auto add_double = [&](const char* name, double FmHyperparameters::*member) {
      f.push_back({name, [name, member](FmHyperparameters* h, std::string_view v) {
                     return ParseInto(name, v, &(h->*member));
                   }});
    };
    auto add_int = [&](const char* name, int FmHyperparameters::*member) {
      f.push_back({name, [name, member](FmHyperparameters* h, std::string_view v) {
                     return ParseInto(name, v, &(h->*member));
                   }});
    };
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
    add_int("num_factors", &FmHyperparameters::num_factors);
    add_int("epochs", &FmHyperparameters::epochs);
    add_int("mini_batch_size", &FmHyperparameters::mini_batch_size);
    add_int("num_threads", &FmHyperparameters::num_threads);
    add_int("early_stopping_patience", &FmHyperparameters::early_stopping_patience);
    add_double("bias_lr", &FmHyperparameters::bias_lr);
    add_double("linear_lr", &FmHyperparameters::linear_lr);
    add_double("factors_lr", &FmHyperparameters::factors_lr);
    add_double("bias_wd", &FmHyperparameters::bias_wd);
    add_double("linear_wd", &FmHyperparameters::linear_wd);
    add_double("factors_wd", &FmHyperparameters::factors_wd);
    add_double("bias_init_sigma", &FmHyperparameters::bias_init_sigma);
    add_double("linear_init_sigma", &FmHyperparameters::linear_init_sigma);
    add_double("factors_init_sigma", &FmHyperparameters::factors_init_sigma);
    add_double("clip_gradient", &FmHyperparameters::clip_gradient);
    add_double("eps", &FmHyperparameters::eps);
    add_double("beta1", &FmHyperparameters::beta1);
    add_double("beta2", &FmHyperparameters::beta2);
    add_double("early_stopping_tolerance", &FmHyperparameters::early_stopping_tolerance);
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
  for (auto [name, value] : {std::pair{"bias_lr", bias_lr},
                             {"linear_lr", linear_lr},
                             {"factors_lr", factors_lr},
                             {"bias_wd", bias_wd},
                             {"linear_wd", linear_wd},
                             {"factors_wd", factors_wd},
                             {"bias_init_sigma", bias_init_sigma},
                             {"linear_init_sigma", linear_init_sigma},
                             {"factors_init_sigma", factors_init_sigma},
                             {"clip_gradient", clip_gradient},
                             {"early_stopping_tolerance", early_stopping_tolerance}}) {
    if (!(value >= 0) || !std::isfinite(value)) {
      return fail(std::string(name) + " must be a finite non-negative number");
    }
  }
  if (!(eps > 0)) return fail("eps must be positive");
  if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
    return fail("beta1 and beta2 must be in [0, 1)");
  }
  return Status::Ok();
}

Json ModelJson::ToJson(const FmHyperparameters& h) {
  return Json{{"predictor_type", PredictorTypeName(h.predictor_type)},
              {"num_factors", h.num_factors},
              {"epochs", h.epochs},
              {"mini_batch_size", h.mini_batch_size},
              {"bias_lr", h.bias_lr},
              {"linear_lr", h.linear_lr},
              {"factors_lr", h.factors_lr},
              {"bias_wd", h.bias_wd},
              {"linear_wd", h.linear_wd},
              {"factors_wd", h.factors_wd},
              {"bias_init_sigma", h.bias_init_sigma},
              {"linear_init_sigma", h.linear_init_sigma},
              {"factors_init_sigma", h.factors_init_sigma},
              {"clip_gradient", h.clip_gradient},
              {"eps", h.eps},
              {"beta1", h.beta1},
              {"beta2", h.beta2},
              {"optimizer", FmOptimizerName(h.optimizer)},
              {"num_threads", h.num_threads},
              {"seed", std::to_string(h.seed)},
              {"early_stopping_patience", h.early_stopping_patience},
              {"early_stopping_tolerance", h.early_stopping_tolerance}};
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
