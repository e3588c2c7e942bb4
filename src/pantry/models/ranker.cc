// The parts of the Ranker interface that do not need XGBoost (ranker.h):
// row selection, parameters and their JSON form.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "pantry/models/model_json.h"
#include "pantry/models/ranker.h"

namespace pantry::models {

Status Ranker::PredictInto(const DenseMatrix& x, std::span<float> out) const {
  ASSIGN_OR_RETURN(std::vector<float> scores, Predict(x));
  if (out.size() < scores.size()) return InvalidArgumentError("PredictInto: output too small");
  std::copy(scores.begin(), scores.end(), out.begin());
  return Status::Ok();
}

DenseMatrix DenseMatrix::SelectRows(std::span<const size_t> row_ids) const {
  DenseMatrix out{row_ids.size(), cols, {}};
  out.values.reserve(row_ids.size() * cols);
  for (size_t r : row_ids) {
    auto source = row(r);
    out.values.insert(out.values.end(), source.begin(), source.end());
  }
  return out;
}

Status RankerParams::Set(std::string_view name, std::string_view value) {
  auto parse_double = [&](double* out) -> Status {
    double v = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || ptr != value.data() + value.size() || !std::isfinite(v)) {
      return InvalidArgumentError("ranker parameter " + std::string(name) + ": '" +
                                  std::string(value) + "' is not a number");
    }
    *out = v;
    return Status::Ok();
  };
  auto parse_int = [&](auto* out) -> Status {
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), *out);
    if (ec != std::errc() || ptr != value.data() + value.size()) {
      return InvalidArgumentError("ranker parameter " + std::string(name) + ": '" +
                                  std::string(value) + "' is not an integer");
    }
    return Status::Ok();
  };
  if (name == "max_depth") return parse_int(&max_depth);
  if (name == "eta") return parse_double(&eta);
  if (name == "gamma") return parse_double(&gamma);
  if (name == "min_child_weight") return parse_double(&min_child_weight);
  if (name == "subsample") return parse_double(&subsample);
  if (name == "num_round") return parse_int(&num_round);
  if (name == "nthread") return parse_int(&nthread);
  if (name == "seed") return parse_int(&seed);
  if (name == "objective") {
    objective = value;
    return Status::Ok();
  }
  if (name == "tree_method") {
    tree_method = value;
    return Status::Ok();
  }
  return InvalidArgumentError("unknown ranker parameter '" + std::string(name) +
                              "' (known: max_depth, eta, gamma, min_child_weight, subsample, "
                              "objective, num_round, tree_method, nthread, seed)");
}

Json ModelJson::ToJson(const RankerParams& p) {
  return Json{{"max_depth", p.max_depth}, {"eta", p.eta},
              {"gamma", p.gamma},         {"min_child_weight", p.min_child_weight},
              {"subsample", p.subsample}, {"objective", p.objective},
              {"num_round", p.num_round}, {"tree_method", p.tree_method},
              {"nthread", p.nthread},     {"seed", std::to_string(p.seed)}};
}

}  // namespace pantry::models
