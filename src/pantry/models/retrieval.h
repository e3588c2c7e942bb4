// Candidate generation ("retrieval"): sources that each propose the
// products a customer is likely to buy next, and a blender that merges them
// into one candidate list (docs/models.md, "Retrieval").
//
// Sources (each in its own header, all trained from an InteractionMatrix):
//   als.h        weighted ALS matrix factorization (implicit feedback)
//   item_knn.h   item-to-item cosine neighbours of the customer's purchases
//   popularity.h category-aware popularity with a customer -> profile
//                segment -> global back-off (cold start: the segment)
// Products, customers and segments are dense indexes (interactions.h).
#ifndef PANTRY_MODELS_RETRIEVAL_H_
#define PANTRY_MODELS_RETRIEVAL_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/models/interactions.h"

namespace pantry::models {

struct Candidate {
  uint32_t product = 0;
  float score = 0;  // higher is better; comparable within one source only
};

// Who the candidates are for. Every field is optional: a customer seen in
// training is found by index; a new customer is described by what they did
// recently and/or by their profile segment.
struct RetrievalQuery {
  // Index of a customer in the training matrix, or kNoId.
  uint32_t customer = kNoId;
  // Interactions not in the training matrix (e.g. today's purchases),
  // oldest first; weights empty means 1 each, else the same length.
  std::span<const uint32_t> recent_products;
  std::span<const float> recent_weights;
  // The customer's profile segment as defined at training time (e.g. an
  // age band × health band), or kNoId. Used by sources that back off to
  // segment statistics; a known customer's training segment is used when
  // this is kNoId.
  uint32_t segment = kNoId;
};

// A trained source. Immutable; all methods are thread-safe.
class CandidateSource {
 public:
  virtual ~CandidateSource() = default;

  // "als", "item_knn", "popularity", "blend".
  virtual std::string_view kind() const = 0;
  virtual uint32_t num_products() const = 0;

  // Up to k products, best first (ties: lower product index first). Empty
  // when the source knows nothing usable about the query (e.g. ALS for a
  // customer with no history).
  virtual std::vector<Candidate> Retrieve(const RetrievalQuery& query, size_t k) const = 0;

  // This source's score of each of `products` (out has the same size);
  // products the source cannot score get -infinity. Products >=
  // num_products() also get -infinity.
  virtual void ScoreProducts(const RetrievalQuery& query, std::span<const uint32_t> products,
                             std::span<float> out) const = 0;

  // Writes the model into `dir` (created if missing) as versioned files
  // (<dir>/<kind>.model plus what the kind needs). Atomic per file.
  virtual Status Save(const std::filesystem::path& dir) const = 0;
};

// Loads whatever source Save() wrote into `dir` (dispatching on its files).
// NotFound if `dir` holds no model; Corruption for damaged files.
StatusOr<std::unique_ptr<CandidateSource>> LoadCandidateSource(const std::filesystem::path& dir);

// The k highest of `scores` as candidates, best first, ties by lower index;
// -infinity and NaN entries are never returned.
std::vector<Candidate> TopCandidates(std::span<const float> scores, size_t k);
// The same for scores that hold no NaN (-infinity allowed), without the
// cleaning copy.
std::vector<Candidate> TopCandidatesWithoutNaN(std::span<const float> scores, size_t k);

}  // namespace pantry::models

#endif  // PANTRY_MODELS_RETRIEVAL_H_
