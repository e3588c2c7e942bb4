#include "pantry/models/als.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <random>

#include "pantry/models/array_file.h"
#include "pantry/models/parallel.h"

namespace pantry::models {
namespace {

constexpr uint32_t kFormatVersion = 1;
constexpr char kKind[] = "als";

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXf;
using Square = Eigen::MatrixXf;

// Product factors for the retrieval scan: tiles of kTile products, factor-
// major inside a tile (tile t holds y[t * kTile + i][f] at
// [(t * factors + f) * kTile + i]), padded with zero rows to whole tiles.
constexpr size_t kTile = 64;

std::vector<float> TileRows(const RowMatrix& y) {
  const size_t n = static_cast<size_t>(y.rows()), f = static_cast<size_t>(y.cols());
  std::vector<float> tiles((n + kTile - 1) / kTile * kTile * f, 0.0f);
  for (size_t r = 0; r < n; ++r) {
    for (size_t j = 0; j < f; ++j) {
      tiles[((r / kTile) * f + j) * kTile + r % kTile] =
          y(static_cast<int64_t>(r), static_cast<int64_t>(j));
    }
  }
  return tiles;
}

// scores[r] = Σ_j y[r][j] x[j] (NaN as -infinity) for every row of
// `num_tiles` tiles, summed in the order of the Eigen SSE matrix-vector
// product this scan replaced (four interleaved partial sums p_l = Σ_m y[4m + l] x[4m + l], combined
// as (p0 + p2) + (p1 + p3), then the f % 4 remaining terms in order), so that retrieval ranks and
// scores stay exactly what they were. Element-wise across products, it vectorises without
// reassociating anything, and als.cc is built with -ffp-contract=off so the FMA-capable clones
// round like the default.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) void ScanTiles(
    const float* tiles, const float* x, size_t f, size_t num_tiles, float* scores) {
  // 16 products at a time, as two 8-float halves (one AVX or two SSE
  // registers each), so that the four partial sums stay in registers.
  using Half = float __attribute__((vector_size(32)));
  constexpr size_t kHalf = sizeof(Half) / sizeof(float);
  static_assert(kTile % (2 * kHalf) == 0);
  const size_t f4 = f / 4 * 4;
  const Half kMinusInf = Half{} - std::numeric_limits<float>::infinity();
  Half ya, yb;
#define PANTRY_ALS_LOAD(p)             \
  std::memcpy(&ya, (p), sizeof(Half)); \
  std::memcpy(&yb, (p) + kHalf, sizeof(Half))
  for (size_t t = 0; t < num_tiles; ++t) {
    const float* q = tiles + t * f * kTile;
    for (size_t c = 0; c < kTile; c += 2 * kHalf) {
      Half p0a = {}, p0b = {}, p1a = {}, p1b = {}, p2a = {}, p2b = {}, p3a = {}, p3b = {};
      for (size_t j = 0; j < f4; j += 4) {
        const float* y = q + j * kTile + c;
        PANTRY_ALS_LOAD(y);
        p0a += ya * x[j];
        p0b += yb * x[j];
        PANTRY_ALS_LOAD(y + kTile);
        p1a += ya * x[j + 1];
        p1b += yb * x[j + 1];
        PANTRY_ALS_LOAD(y + 2 * kTile);
        p2a += ya * x[j + 2];
        p2b += yb * x[j + 2];
        PANTRY_ALS_LOAD(y + 3 * kTile);
        p3a += ya * x[j + 3];
        p3b += yb * x[j + 3];
      }
      Half sa = (p0a + p2a) + (p1a + p3a), sb = (p0b + p2b) + (p1b + p3b);
      for (size_t j = f4; j < f; ++j) {
        PANTRY_ALS_LOAD(q + j * kTile + c);
        sa += ya * x[j];
        sb += yb * x[j];
      }
      // NaN (from overflowing factors) reads as -infinity, which never ranks.
      sa = sa > kMinusInf ? sa : kMinusInf;
      sb = sb > kMinusInf ? sb : kMinusInf;
      std::memcpy(scores + t * kTile + c, &sa, sizeof(Half));
      std::memcpy(scores + t * kTile + c + kHalf, &sb, sizeof(Half));
    }
  }
#undef PANTRY_ALS_LOAD
}

// One side's sparse rows as the solver sees them: for row r, the other
// side's indices and the interaction weights.
struct SparseSide {
  std::function<std::span<const uint32_t>(uint32_t)> indices;
  std::function<std::span<const float>(uint32_t)> weights;
};

// Yᵀ Y + λ I over all rows of `y`, summed over static blocks so that the
// result does not depend on thread scheduling.
Square Gram(const RowMatrix& y, double lambda, int threads) {
  const int64_t rows = y.rows();
  const int parts = std::max<int>(1, std::min<int64_t>(threads, rows / 4096 + 1));
  std::vector<Square> partial(parts);
  ParallelBlocks(parts, 1, threads, [&](uint64_t begin, uint64_t, int) {
    const int64_t lo = rows * static_cast<int64_t>(begin) / parts;
    const int64_t hi = rows * static_cast<int64_t>(begin + 1) / parts;
    partial[begin] = y.middleRows(lo, hi - lo).transpose() * y.middleRows(lo, hi - lo);
  });
  Square gram = Square::Zero(y.cols(), y.cols());
  for (const Square& p : partial) gram += p;
  gram.diagonal().array() += static_cast<float>(lambda);
  return gram;
}

// Solves one row's normal equations
//   (YᵀY + λI + Σ_i (c_i − 1) y_i y_iᵀ) x = Σ_i c_i y_i,  c_i = 1 + α w_i,
// in place: `cg_steps` conjugate-gradient steps from the current x, or an
// exact Cholesky solve when cg_steps is 0.
void SolveRow(const Square& gram, const RowMatrix& y, std::span<const uint32_t> items,
              std::span<const float> weights, double alpha, int cg_steps, Eigen::Ref<Vector> x) {
  const int64_t f = y.cols();
  if (items.empty()) {
    x.setZero();
    return;
  }
  Vector b = Vector::Zero(f);
  for (size_t j = 0; j < items.size(); ++j) {
    b += static_cast<float>(1 + alpha * weights[j]) * y.row(items[j]).transpose();
  }
  if (cg_steps <= 0) {
    Square a = gram;
    for (size_t j = 0; j < items.size(); ++j) {
      const auto yi = y.row(items[j]);
      a.noalias() += static_cast<float>(alpha * weights[j]) * (yi.transpose() * yi);
    }
    x = a.llt().solve(b);
    return;
  }
  auto apply = [&](const Vector& v, Vector* out) {
    out->noalias() = gram * v;
    for (size_t j = 0; j < items.size(); ++j) {
      const auto yi = y.row(items[j]);
      *out += static_cast<float>(alpha * weights[j] * yi.dot(v)) * yi.transpose();
    }
  };
  Vector ap(f);
  apply(x, &ap);
  Vector r = b - ap;
  Vector p = r;
  float rs = r.squaredNorm();
  for (int step = 0; step < cg_steps && rs > 1e-20f; ++step) {
    apply(p, &ap);
    const float denom = p.dot(ap);
    if (!(denom > 0)) break;
    const float a = rs / denom;
    x += a * p;
    r -= a * ap;
    const float rs_new = r.squaredNorm();
    p = r + (rs_new / rs) * p;
    rs = rs_new;
  }
}

void SolveSide(const RowMatrix& fixed, const SparseSide& side, const AlsOptions& o, int threads,
               RowMatrix* target) {
  const Square gram = Gram(fixed, o.regularization, threads);
  ParallelBlocks(target->rows(), 256, threads, [&](uint64_t begin, uint64_t end, int) {
    for (uint64_t r = begin; r < end; ++r) {
      const uint32_t row = static_cast<uint32_t>(r);
      SolveRow(gram, fixed, side.indices(row), side.weights(row), o.alpha, o.cg_steps,
               target->row(row).transpose());
    }
  });
}

class AlsModelImpl final : public AlsModel {
 public:
  AlsModelImpl(RowMatrix customers, RowMatrix products, double alpha, double lambda)
      : customers_(std::move(customers)),
        products_(std::move(products)),
        alpha_(alpha),
        lambda_(lambda),
        gram_(Gram(products_, lambda, 1)),
        tiles_(TileRows(products_)) {}

  std::string_view kind() const override { return kKind; }
  uint32_t num_products() const override { return static_cast<uint32_t>(products_.rows()); }
  uint32_t num_customers() const override { return static_cast<uint32_t>(customers_.rows()); }
  int factors() const override { return static_cast<int>(products_.cols()); }

  std::vector<float> CustomerVector(const RetrievalQuery& query) const override {
    std::vector<float> folded;
    const std::span<const float> x = QueryVector(query, &folded);
    return std::vector<float>(x.begin(), x.end());
  }

  std::span<const float> ProductVector(uint32_t product) const override {
    return {products_.data() + static_cast<size_t>(product) * products_.cols(),
            static_cast<size_t>(products_.cols())};
  }

  std::vector<Candidate> Retrieve(const RetrievalQuery& query, size_t k) const override {
    std::vector<float> folded;
    const std::span<const float> x = QueryVector(query, &folded);
    if (x.empty()) return {};
    thread_local std::vector<float> scores;
    scores.resize(tiles_.size() / x.size());
    ScanTiles(tiles_.data(), x.data(), x.size(), scores.size() / kTile, scores.data());
    return TopCandidatesWithoutNaN({scores.data(), num_products()}, k);
  }

  void ScoreProducts(const RetrievalQuery& query, std::span<const uint32_t> products,
                     std::span<float> out) const override {
    std::vector<float> folded;
    const std::span<const float> x = QueryVector(query, &folded);
    const Eigen::Map<const Vector> xv(x.data(), static_cast<int64_t>(x.size()));
    for (size_t j = 0; j < products.size(); ++j) {
      out[j] = x.empty() || products[j] >= num_products() ? -std::numeric_limits<float>::infinity()
                                                          : products_.row(products[j]).dot(xv);
    }
  }

  Status Save(const std::filesystem::path& dir) const override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    ArrayFileWriter w(kKind, kFormatVersion);
    const uint64_t shape[3] = {static_cast<uint64_t>(customers_.rows()),
                               static_cast<uint64_t>(products_.rows()),
                               static_cast<uint64_t>(products_.cols())};
    const float params[2] = {static_cast<float>(alpha_), static_cast<float>(lambda_)};
    w.Add("shape", std::span<const uint64_t>(shape));
    w.Add("alpha_lambda", std::span<const float>(params));
    w.Add("customer_factors", std::span<const float>(customers_.data(), customers_.size()));
    w.Add("product_factors", std::span<const float>(products_.data(), products_.size()));
    return w.Write(dir / "als.model");
  }

 private:
  const RowMatrix customers_;
  const RowMatrix products_;
  const double alpha_, lambda_;
  const Square gram_;               // YᵀY + λI, for fold-in
  const std::vector<float> tiles_;  // products_ tiled for ScanTiles

  // CustomerVector() without a copy for a known customer: a view of the
  // trained row, or of `folded` (filled) for a fold-in; empty if neither.
  std::span<const float> QueryVector(const RetrievalQuery& query,
                                     std::vector<float>* folded) const {
    if (query.customer < num_customers()) {
      return {customers_.data() + static_cast<size_t>(query.customer) * customers_.cols(),
              static_cast<size_t>(customers_.cols())};
    }
    std::vector<uint32_t> items;
    std::vector<float> weights;
    for (size_t j = 0; j < query.recent_products.size(); ++j) {
      if (query.recent_products[j] >= num_products()) continue;
      items.push_back(query.recent_products[j]);
      weights.push_back(query.recent_weights.empty() ? 1.0f : query.recent_weights[j]);
    }
    if (items.empty()) return {};
    Vector x = Vector::Zero(products_.cols());
    SolveRow(gram_, products_, items, weights, alpha_, /*cg_steps=*/0, x);
    folded->assign(x.data(), x.data() + x.size());
    return *folded;
  }
};

RowMatrix RandomFactors(int64_t rows, int factors, std::mt19937_64* rng) {
  std::normal_distribution<float> normal(0.0f, 0.1f / std::sqrt(static_cast<float>(factors)));
  RowMatrix m(rows, factors);
  for (int64_t i = 0; i < m.size(); ++i) m.data()[i] = normal(*rng);
  return m;
}

}  // namespace

StatusOr<std::unique_ptr<AlsModel>> AlsModel::Train(const InteractionMatrix& matrix,
                                                    const AlsOptions& o) {
  if (o.factors < 1 || o.factors > 1024) return InvalidArgumentError("ALS factors must be 1..1024");
  if (o.iterations < 1) return InvalidArgumentError("ALS iterations must be >= 1");
  if (!(o.alpha >= 0) || !(o.regularization >= 0) || (o.regularization == 0 && o.cg_steps <= 0)) {
    return InvalidArgumentError("ALS alpha and regularization must be >= 0 (λ > 0 for Cholesky)");
  }
  if (matrix.nnz() == 0) return InvalidArgumentError("ALS: no interactions to train on");
  const int threads = ResolveThreads(o.threads);
  std::mt19937_64 rng(o.seed);
  RowMatrix products = RandomFactors(matrix.num_products(), o.factors, &rng);
  RowMatrix customers = RandomFactors(matrix.num_customers(), o.factors, &rng);
  const SparseSide by_customer{[&](uint32_t c) { return matrix.customer(c).items; },
                               [&](uint32_t c) { return matrix.customer(c).weights; }};
  const SparseSide by_product{[&](uint32_t p) { return matrix.product_customers(p); },
                              [&](uint32_t p) { return matrix.product_weights(p); }};
  for (int it = 1; it <= o.iterations; ++it) {
    const auto start = std::chrono::steady_clock::now();
    SolveSide(products, by_customer, o, threads, &customers);
    SolveSide(customers, by_product, o, threads, &products);
    if (o.on_iteration) {
      o.on_iteration(
          it, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  }
  return std::unique_ptr<AlsModel>(
      new AlsModelImpl(std::move(customers), std::move(products), o.alpha, o.regularization));
}

StatusOr<std::unique_ptr<AlsModel>> AlsModel::Load(const std::filesystem::path& dir) {
  ASSIGN_OR_RETURN(ArrayFileReader r,
                   ArrayFileReader::Open(dir / "als.model", kKind, kFormatVersion));
  std::vector<uint64_t> shape;
  std::vector<float> params, customer_factors, product_factors;
  RETURN_IF_ERROR(r.Get("shape", &shape, 3));
  RETURN_IF_ERROR(r.Get("alpha_lambda", &params, 2));
  if (shape[2] < 1 || shape[2] > 1024 || shape[0] >= kNoId || shape[1] >= kNoId) {
    return r.Corrupt("bad shape");
  }
  RETURN_IF_ERROR(
      r.Get("customer_factors", &customer_factors, static_cast<int64_t>(shape[0] * shape[2])));
  RETURN_IF_ERROR(
      r.Get("product_factors", &product_factors, static_cast<int64_t>(shape[1] * shape[2])));
  for (float v : customer_factors) {
    if (!std::isfinite(v)) return r.Corrupt("non-finite customer factor");
  }
  for (float v : product_factors) {
    if (!std::isfinite(v)) return r.Corrupt("non-finite product factor");
  }
  const int64_t f = static_cast<int64_t>(shape[2]);
  RowMatrix customers =
      Eigen::Map<const RowMatrix>(customer_factors.data(), static_cast<int64_t>(shape[0]), f);
  RowMatrix products =
      Eigen::Map<const RowMatrix>(product_factors.data(), static_cast<int64_t>(shape[1]), f);
  return std::unique_ptr<AlsModel>(
      new AlsModelImpl(std::move(customers), std::move(products), params[0], params[1]));
}

}  // namespace pantry::models
