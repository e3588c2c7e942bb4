// A libFuzzer-compatible main for builds without libFuzzer (the gcc release
// build, CI): feeds every file of the given corpus directories, plus a fixed
// number of deterministic mutations of each, to LLVMFuzzerTestOneInput. A
// crash, an abort or a sanitizer report fails the ctest that runs it.
//
//   <harness>_replay [--mutations=N] [--seed=S] DIR_OR_FILE...
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// splitmix64: the same mutations on every platform and run.
struct Rng {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }
};

// Bytes that tend to matter to the parsers under test.
constexpr std::string_view kInteresting[] = {"\"",
                                             "\\",
                                             "{",
                                             "}",
                                             "[",
                                             "]",
                                             ",",
                                             ":",
                                             "\n",
                                             "\r\n",
                                             "\0",
                                             "\xff",
                                             "null",
                                             "1e309",
                                             "-9223372036854775808",
                                             "9999-12-31T23:59:59Z",
                                             "\"Data\":\"",
                                             "==",
                                             "NaN"};

std::string Mutate(std::string s, Rng& rng) {
  const int steps = 1 + static_cast<int>(rng.Below(4));
  for (int i = 0; i < steps; ++i) {
    const size_t pos = rng.Below(s.size() + 1);
    switch (rng.Below(7)) {
      case 0:  // flip a bit
        if (!s.empty()) s[rng.Below(s.size())] ^= static_cast<char>(1u << rng.Below(8));
        break;
      case 1:  // set a byte
        if (!s.empty()) s[rng.Below(s.size())] = static_cast<char>(rng.Below(256));
        break;
      case 2:  // delete a run
        if (pos < s.size()) s.erase(pos, 1 + rng.Below(std::min<size_t>(16, s.size() - pos)));
        break;
      case 3:  // insert a token
        s.insert(pos, kInteresting[rng.Below(std::size(kInteresting))]);
        break;
      case 4:  // truncate
        s.resize(pos);
        break;
      case 5: {  // duplicate a run
        if (pos < s.size()) {
          const std::string run = s.substr(pos, 1 + rng.Below(32));
          s.insert(rng.Below(s.size() + 1), run);
        }
        break;
      }
      default:  // insert random bytes
        for (size_t n = 1 + rng.Below(8); n > 0; --n) {
          s.insert(s.begin() + static_cast<std::ptrdiff_t>(rng.Below(s.size() + 1)),
                   static_cast<char>(rng.Below(256)));
        }
        break;
    }
  }
  return s;
}

void Run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  long mutations = 300;
  uint64_t seed = 1;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--mutations=")) {
      mutations = std::strtol(argv[i] + 12, nullptr, 10);
    } else if (arg.starts_with("--seed=")) {
      seed = std::strtoull(argv[i] + 7, nullptr, 10);
    } else if (std::filesystem::is_directory(arg)) {
      for (const auto& e : std::filesystem::directory_iterator(arg)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else {
      files.emplace_back(arg);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s [--mutations=N] [--seed=S] DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> inputs;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "cannot read %s\n", f.c_str());
      return 2;
    }
    inputs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  Run("");
  for (const std::string& input : inputs) Run(input);
  Rng rng{seed};
  long runs = 1 + static_cast<long>(inputs.size());
  for (const std::string& input : inputs) {
    for (long m = 0; m < mutations; ++m, ++runs) Run(Mutate(input, rng));
  }
  std::printf("%s: %zu corpus files, %ld inputs run, no crash\n", argv[0], inputs.size(), runs);
  return 0;
}
