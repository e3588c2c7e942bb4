#include "pantry/models/tree_ensemble.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "pantry/common/json.h"

namespace pantry::models {
namespace {

// XGBoost writes most scalar parameters as strings ("5E-1", "50").
StatusOr<double> NumberOrNumericString(const Json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end())
    return CorruptionError("XGBoost model: missing '" + std::string(key) + "'");
  if (it->is_number()) return it->get<double>();
  if (!it->is_string()) {
    return CorruptionError("XGBoost model: '" + std::string(key) + "' is not a number");
  }
  const std::string& text = it->get_ref<const std::string&>();
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return CorruptionError("XGBoost model: '" + std::string(key) + "' = '" + text +
                           "' is not a number");
  }
  return value;
}

StatusOr<const Json*> Member(const Json& object, std::string_view key, Json::value_t type) {
  if (!object.is_object()) return CorruptionError("XGBoost model: expected an object");
  auto it = object.find(key);
  if (it == object.end() || it->type() != type) {
    return CorruptionError("XGBoost model: missing or mistyped '" + std::string(key) + "'");
  }
  return &*it;
}

// Reads a numeric array of exactly `size` entries (booleans count as 0/1).
template <typename T>
Status NumericArray(const Json& tree, std::string_view key, size_t size, std::vector<T>* out) {
  ASSIGN_OR_RETURN(const Json* array, Member(tree, key, Json::value_t::array));
  if (array->size() != size) {
    return CorruptionError("XGBoost model: tree array '" + std::string(key) + "' has " +
                           std::to_string(array->size()) + " entries, expected " +
                           std::to_string(size));
  }
  out->clear();
  out->reserve(size);
  for (const Json& value : *array) {
    if (value.is_boolean()) {
      out->push_back(static_cast<T>(value.get<bool>() ? 1 : 0));
    } else if (value.is_number()) {
      out->push_back(value.get<T>());
    } else {
      return CorruptionError("XGBoost model: tree array '" + std::string(key) +
                             "' holds a non-number");
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<TreeEnsemble> TreeEnsemble::FromXgboostJson(std::string_view json) {
  ASSIGN_OR_RETURN(Json doc, ParseJson(json, "XGBoost model"));
  ASSIGN_OR_RETURN(const Json* learner, Member(doc, "learner", Json::value_t::object));
  ASSIGN_OR_RETURN(const Json* booster,
                   Member(*learner, "gradient_booster", Json::value_t::object));
  ASSIGN_OR_RETURN(const Json* booster_name, Member(*booster, "name", Json::value_t::string));
  if (*booster_name != "gbtree") {
    return FailedPreconditionError("flat trees: booster '" + booster_name->get<std::string>() +
                                   "'");
  }
  ASSIGN_OR_RETURN(const Json* params,
                   Member(*learner, "learner_model_param", Json::value_t::object));
  ASSIGN_OR_RETURN(double num_class, NumberOrNumericString(*params, "num_class"));
  if (num_class > 1) return FailedPreconditionError("flat trees: multi-class model");
  ASSIGN_OR_RETURN(double num_feature, NumberOrNumericString(*params, "num_feature"));
  ASSIGN_OR_RETURN(double base_score, NumberOrNumericString(*params, "base_score"));
  ASSIGN_OR_RETURN(const Json* objective, Member(*learner, "objective", Json::value_t::object));
  ASSIGN_OR_RETURN(const Json* objective_name, Member(*objective, "name", Json::value_t::string));

  TreeEnsemble ensemble;
  if (num_feature < 1 || num_feature > (1u << 30)) {
    return CorruptionError("XGBoost model: num_feature out of range");
  }
  ensemble.num_features_ = static_cast<size_t>(num_feature);
  const std::string& name = objective_name->get_ref<const std::string&>();
  const float base = static_cast<float>(base_score);
  if (name == "binary:logistic" || name == "reg:logistic") {
    // XGBoost's ProbToMargin, in float as XGBoost computes it.
    if (!(base > 0.0f && base < 1.0f)) return CorruptionError("XGBoost model: base_score");
    ensemble.base_margin_ = -std::log(1.0f / base - 1.0f);
    ensemble.transform_ = Transform::kSigmoid;
  } else if (name == "reg:squarederror" || name == "binary:logitraw") {
    ensemble.base_margin_ = base;
    ensemble.transform_ = Transform::kIdentity;
  } else {
    return FailedPreconditionError("flat trees: objective '" + name + "'");
  }

  ASSIGN_OR_RETURN(const Json* model, Member(*booster, "model", Json::value_t::object));
  ASSIGN_OR_RETURN(const Json* trees, Member(*model, "trees", Json::value_t::array));
  std::vector<int64_t> left, right, split_index, split_type, default_left;
  std::vector<double> split_condition;
  for (const Json& tree : *trees) {
    ASSIGN_OR_RETURN(const Json* tree_param, Member(tree, "tree_param", Json::value_t::object));
    ASSIGN_OR_RETURN(double num_nodes_value, NumberOrNumericString(*tree_param, "num_nodes"));
    if (num_nodes_value < 1 || num_nodes_value > (1 << 24)) {
      return CorruptionError("XGBoost model: tree size out of range");
    }
    const size_t num_nodes = static_cast<size_t>(num_nodes_value);
    RETURN_IF_ERROR(NumericArray(tree, "left_children", num_nodes, &left));
    RETURN_IF_ERROR(NumericArray(tree, "right_children", num_nodes, &right));
    RETURN_IF_ERROR(NumericArray(tree, "split_indices", num_nodes, &split_index));
    RETURN_IF_ERROR(NumericArray(tree, "split_conditions", num_nodes, &split_condition));
    RETURN_IF_ERROR(NumericArray(tree, "default_left", num_nodes, &default_left));
    if (tree.contains("split_type")) {
      RETURN_IF_ERROR(NumericArray(tree, "split_type", num_nodes, &split_type));
      if (std::any_of(split_type.begin(), split_type.end(), [](int64_t t) { return t != 0; })) {
        return FailedPreconditionError("flat trees: categorical splits");
      }
    }
    const size_t root = ensemble.nodes_.size();
    ensemble.tree_roots_.push_back(static_cast<uint32_t>(root));
    for (size_t i = 0; i < num_nodes; ++i) {
      const bool leaf = left[i] == -1;
      // Children must point forward inside the tree, which also rules out
      // cycles, so a walk always ends at a leaf.
      auto valid_child = [&](int64_t child) {
        return child > static_cast<int64_t>(i) && child < static_cast<int64_t>(num_nodes);
      };
      if (!leaf && (!valid_child(left[i]) || !valid_child(right[i]) || split_index[i] < 0 ||
                    split_index[i] >= static_cast<int64_t>(ensemble.num_features_))) {
        return CorruptionError("XGBoost model: malformed tree node");
      }
      Node node;
      node.value = static_cast<float>(split_condition[i]);
      node.left = leaf ? -1 : static_cast<int32_t>(root + left[i]);
      node.right = leaf ? -1 : static_cast<int32_t>(root + right[i]);
      node.feature = leaf ? 0 : static_cast<uint32_t>(split_index[i]);
      node.default_left = default_left[i] != 0 ? 1 : 0;
      ensemble.nodes_.push_back(node);
    }
  }
  ensemble.BuildCompleteTrees();
  return ensemble;
}

void TreeEnsemble::BuildCompleteTrees() {
  if (num_features_ > UINT32_MAX / kRowBlock) return;  // Split::feature is scaled
  // Depth of the subtree under each node; children come after their parent.
  std::vector<uint32_t> depth(nodes_.size(), 0);
  for (size_t i = nodes_.size(); i-- > 0;) {
    const Node& node = nodes_[i];
    if (node.left >= 0) depth[i] = 1 + std::max(depth[node.left], depth[node.right]);
    if (node.left >= 0 && std::isnan(node.value)) return;
  }
  std::vector<CompleteTree> trees;
  std::vector<Split> splits;
  std::vector<float> leaves;
  for (uint32_t root : tree_roots_) {
    const uint32_t d = depth[root];
    if (d > kMaxCompleteDepth) return;
    CompleteTree tree{d, static_cast<uint32_t>(splits.size()),
                      static_cast<uint32_t>(leaves.size())};
    const size_t num_splits = (size_t{1} << d) - 1;
    splits.resize(splits.size() + num_splits, Split{0.0f, 0});
    leaves.resize(leaves.size() + num_splits + 1, 0.0f);
    // (node, heap position) pairs; a leaf reached above the last level
    // fills every leaf slot of its subtree.
    std::vector<std::pair<uint32_t, size_t>> stack = {{root, 0}};
    while (!stack.empty()) {
      auto [index, position] = stack.back();
      stack.pop_back();
      const Node& node = nodes_[index];
      if (node.left >= 0) {
        splits[tree.first_split + position] = {node.value,
                                               static_cast<uint32_t>(node.feature * kRowBlock)};
        stack.push_back({static_cast<uint32_t>(node.left), 2 * position + 1});
        stack.push_back({static_cast<uint32_t>(node.right), 2 * position + 2});
        continue;
      }
      size_t first = position, count = 1;
      while (first < num_splits) {
        first = 2 * first + 1;
        count *= 2;
      }
      std::fill_n(leaves.begin() + tree.first_leaf + (first - num_splits), count, node.value);
    }
    trees.push_back(tree);
  }
  complete_ = std::move(trees);
  split_threshold_.resize(splits.size());
  split_feature_.resize(splits.size());
  for (size_t i = 0; i < splits.size(); ++i) {
    split_threshold_[i] = splits[i].threshold;
    split_feature_[i] = splits[i].feature;
  }
  leaves_ = std::move(leaves);
}

void TreeEnsemble::CompleteMargins(const float* rows, size_t count, float* margins) const {
  // The block feature-major (feature f of row i at block[f * kRowBlock + i];
  // missing rows repeat the last one): a split's scaled feature plus the
  // row's lane is the value's address, with no per-row base pointer.
  thread_local std::vector<float> block;
  block.resize(num_features_ * kRowBlock);
  for (size_t i = 0; i < kRowBlock; ++i) {
    const float* row = rows + std::min(i, count - 1) * num_features_;
    for (size_t f = 0; f < num_features_; ++f) block[f * kRowBlock + i] = row[f];
  }
  const float* values = block.data();
  float margin[kRowBlock];
  std::fill_n(margin, kRowBlock, base_margin_);
  const float* threshold = split_threshold_.data();
  const uint32_t* feature = split_feature_.data();
  for (const CompleteTree& tree : complete_) {
    // Absolute split indexes a = first_split + p: the children of heap
    // position p are 2p + 1 and 2p + 2, i.e. 2a + (1 - first_split) (+ 1),
    // one address computation per step (unsigned arithmetic wraps back).
    const size_t step = size_t{1} - tree.first_split;
    size_t at[kRowBlock];
    std::fill_n(at, kRowBlock, size_t{tree.first_split});
    for (uint32_t level = 0; level < tree.depth; ++level) {
      for (size_t i = 0; i < kRowBlock; ++i) {
        // Without NaN, "not less than" is "greater or equal": go right.
        at[i] = 2 * at[i] + step + (values[feature[at[i]] + i] >= threshold[at[i]] ? 1 : 0);
      }
    }
    // Heap position p of the last level is leaf p - (2^depth - 1).
    const size_t to_leaf =
        size_t{tree.first_leaf} - ((size_t{1} << tree.depth) - 1) - tree.first_split;
    for (size_t i = 0; i < kRowBlock; ++i) margin[i] += leaves_[at[i] + to_leaf];
  }
  std::copy_n(margin, count, margins);
}

float TreeEnsemble::Margin(const float* row) const {
  float margin = base_margin_;
  for (uint32_t root : tree_roots_) {
    const Node* node = &nodes_[root];
    while (node->left >= 0) {
      const float value = row[node->feature];
      const bool go_left = std::isnan(value) ? node->default_left != 0 : value < node->value;
      node = &nodes_[go_left ? node->left : node->right];
    }
    margin += node->value;
  }
  return margin;
}

void TreeEnsemble::Predict(std::span<const float> rows, std::span<float> out) const {
  const size_t count = rows.size() / num_features_;
  for (size_t r = 0; r < count; r += kRowBlock) {
    const size_t block = std::min(kRowBlock, count - r);
    const float* first = rows.data() + r * num_features_;
    // Without an early exit, so that the check vectorises.
    int nan = 0;
    for (size_t i = 0; i < block * num_features_; ++i) nan |= first[i] != first[i] ? 1 : 0;
    const bool has_nan = nan != 0;
    if (complete_.empty() || has_nan) {
      for (size_t i = 0; i < block; ++i) out[r + i] = Margin(first + i * num_features_);
    } else {
      CompleteMargins(first, block, &out[r]);
    }
  }
  for (size_t r = 0; r < count; ++r) {
    const float margin = out[r];
    if (transform_ == Transform::kSigmoid) {
      // XGBoost's common::Sigmoid (the clamp keeps expf finite).
      constexpr float kEps = 1e-16f;
      out[r] = 1.0f / (std::exp(std::min(-margin, 88.7f)) + 1.0f + kEps);
    } else {
      out[r] = margin;
    }
  }
}

}  // namespace pantry::models
