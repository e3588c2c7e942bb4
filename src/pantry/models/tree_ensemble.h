// A trained XGBoost tree ensemble in a flat, read-only form for serving.
//
// Why not XGBoost's own prediction: the request path scores ~200 candidate
// rows per recommendation, and XGBoost's in-place prediction spends most of
// that call on per-call setup (array-interface parsing, proxy DMatrix,
// thread-local buffers) rather than on walking 50 depth-5 trees. The trees
// themselves are a few kilobytes; walking them directly from contiguous
// arrays, without allocating, is several times cheaper. XGBoost stays the
// trainer and the reference: tests check that both give the same
// predictions on random inputs, and models this form does not cover
// (categorical splits, multi-class, DART, unknown objectives) are refused
// by FromXgboostJson so that the caller keeps using XGBoost for them.
#ifndef PANTRY_MODELS_TREE_ENSEMBLE_H_
#define PANTRY_MODELS_TREE_ENSEMBLE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"

namespace pantry::models {

// Immutable after construction; Predict* may be called from any number of
// threads at once.
class TreeEnsemble {
 public:
  // Builds the ensemble from XGBoost's JSON model document (the output of
  // XGBoosterSaveModelToBuffer with format json, XGBoost 1.7's schema).
  // Errors: FailedPrecondition for a model this form does not cover (the caller
  // falls back to XGBoost), Corruption for a malformed document.
  static StatusOr<TreeEnsemble> FromXgboostJson(std::string_view json);

  size_t num_features() const { return num_features_; }
  size_t num_trees() const { return tree_roots_.size(); }

  // Writes one prediction per row of `rows` (row-major, num_features()
  // columns per row, NaN = missing) to `out` (rows.size() / num_features()
  // entries): the objective's transformed output (a probability for
  // binary:logistic), accumulated in the same order and float precision as
  // XGBoost's CPU predictor. Does not allocate after its first call on a
  // thread. Preconditions (checked by the caller): rows.size() is a multiple
  // of num_features() and `out` is large enough.
  void Predict(std::span<const float> rows, std::span<float> out) const;

 private:
  enum class Transform : uint8_t { kIdentity, kSigmoid };
  // One tree node. A leaf has left == -1 and carries its value in `value`;
  // a split sends a row left when row[feature] < value, and a missing
  // (NaN) value left when default_left.
  struct Node {
    float value;
    int32_t left;
    int32_t right;
    uint32_t feature : 31;
    uint32_t default_left : 1;
  };

  // A tree padded to a complete binary tree of its depth, in heap order
  // (the children of split p are 2p + 1 and 2p + 2; a leaf above the last
  // level is repeated over its subtree), so that a row takes exactly
  // `depth` steps without a branch. Used for rows without NaN.
  struct Split {
    float threshold;
    uint32_t feature;  // × kRowBlock: the offset of the feature in a row block
  };
  struct CompleteTree {
    uint32_t depth;
    uint32_t first_split;  // in split_threshold_ and split_feature_
    uint32_t first_leaf;   // in leaves_
  };
  // Deeper trees keep the node walk: a complete tree doubles per level.
  static constexpr uint32_t kMaxCompleteDepth = 10;
  // Rows walked through one tree together: independent walks overlap.
  static constexpr size_t kRowBlock = 8;

  TreeEnsemble() = default;
  float Margin(const float* row) const;
  // Fills complete_, split_threshold_, split_feature_ and leaves_, or leaves them empty when a tree
  // is too deep or a threshold is NaN.
  void BuildCompleteTrees();
  // Margins of `count` (1..kRowBlock) NaN-free rows by the complete trees.
  void CompleteMargins(const float* rows, size_t count, float* margins) const;

  size_t num_features_ = 0;
  float base_margin_ = 0;
  Transform transform_ = Transform::kIdentity;
  std::vector<Node> nodes_;             // all trees, each tree's nodes contiguous
  std::vector<uint32_t> tree_roots_;    // index of each tree's node 0 in nodes_
  std::vector<CompleteTree> complete_;  // one per tree, or empty
  // The splits of all complete trees, as two arrays: a step then reads both
  // with the same index, without computing a Split's address first.
  std::vector<float> split_threshold_;
  std::vector<uint32_t> split_feature_;
  std::vector<float> leaves_;
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_TREE_ENSEMBLE_H_
