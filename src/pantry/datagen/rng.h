// Pseudo-random numbers that are identical on every platform.
//
// pantry's generated datasets must be byte-identical for the same seed and
// flags, whatever the compiler, standard library or thread count. The
// std:: distributions (uniform_real_distribution, normal_distribution, ...)
// are implementation-defined, so pantry implements its own on top of
// xoshiro256** seeded with SplitMix64. Every independent piece of work (a
// chunk of rows, one customer, one product) gets its own generator seeded
// from (seed, stream, index), so results do not depend on which thread ran
// which piece, nor in what order.
//
// Normal() uses std::log/std::sqrt/std::cos; those are correctly rounded in
// practice on glibc for the arguments used here, and values written to files
// are rounded to a few decimals, so a last-bit difference in another libm
// could at most flip a value sitting exactly on a rounding boundary.
#ifndef PANTRY_DATAGEN_RNG_H_
#define PANTRY_DATAGEN_RNG_H_

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace pantry::datagen {

inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Mixes several words into one seed.
inline uint64_t MixSeed(uint64_t seed, uint64_t stream, uint64_t index) {
  uint64_t s = seed;
  uint64_t a = SplitMix64(&s);
  s = a ^ (stream * 0xd6e8feb86659fd93ULL);
  uint64_t b = SplitMix64(&s);
  s = b ^ (index * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL);
  return SplitMix64(&s);
}

// Stream identifiers: one per kind of generated object.
enum class RngStream : uint64_t {
  kProduct = 1,
  kCustomer = 2,
  kOrders = 3,
  kClicks = 4,
  kModel = 5,
  kSimulator = 6,
};

// xoshiro256** (Blackman & Vigna). Not thread-safe; one per piece of work.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t s = seed;
    for (uint64_t& word : state_) word = SplitMix64(&s);
  }
  Rng(uint64_t seed, RngStream stream, uint64_t index)
      : Rng(MixSeed(seed, static_cast<uint64_t>(stream), index)) {}

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }

  // Uniform integer in [0, n), n > 0, without modulo bias (Lemire).
  uint64_t UniformInt(uint64_t n) {
    __uint128_t m = static_cast<__uint128_t>(Next()) * n;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<__uint128_t>(Next()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }
  // Uniform integer in [lo, hi].
  int64_t UniformRange(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(UniformInt(static_cast<uint64_t>(hi - lo + 1)));
  }

  bool Bernoulli(double p) { return Uniform() < p; }

  // Standard normal by the Box-Muller transform (one value per call, so the
  // number of draws consumed is fixed).
  double Normal() {
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double Normal(double mean, double sd) { return mean + sd * Normal(); }

  // Poisson by Knuth's multiplication method for mean <= 30, else a rounded
  // normal approximation (never negative).
  int64_t Poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean > 30) {
      const double x = std::floor(Normal(mean, std::sqrt(mean)) + 0.5);
      return x < 0 ? 0 : static_cast<int64_t>(x);
    }
    const double limit = std::exp(-mean);
    int64_t k = 0;
    double p = Uniform();
    while (p > limit) {
      ++k;
      p *= Uniform();
    }
    return k;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

// Walker's alias method: O(1) draws from a fixed discrete distribution.
// Immutable after construction, so one table may be shared by threads.
class AliasTable {
 public:
  AliasTable() = default;
  // `weights` must be non-negative with a positive sum.
  explicit AliasTable(std::span<const double> weights);

  size_t size() const { return prob_.size(); }
  size_t Sample(Rng& rng) const {
    const size_t i = rng.UniformInt(prob_.size());
    return rng.Uniform() < prob_[i] ? i : alias_[i];
  }

 private:
  std::vector<double> prob_;
  std::vector<uint32_t> alias_;
};

// Index drawn with probability proportional to `weights` (linear scan, for
// short vectors whose weights change per draw).
size_t SampleLinear(Rng& rng, std::span<const double> weights, double total);

}  // namespace pantry::datagen

#endif  // PANTRY_DATAGEN_RNG_H_
