// Little-endian byte writer/reader for the window state in checkpoints
// (fixed-width encoding from common/coding.h).
#ifndef PANTRY_STREAM_STATE_CODEC_H_
#define PANTRY_STREAM_STATE_CODEC_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "pantry/common/coding.h"

namespace pantry::stream {

// Appends to a string; or, given a `flush`, hands the bytes on in pieces of
// about `chunk` bytes as they are produced (a checkpoint streams the window
// state to its file this way instead of holding a copy of it in memory).
class Writer {
 public:
  Writer() = default;
  Writer(std::function<void(std::string_view)> flush, size_t chunk)
      : flush_(std::move(flush)), chunk_(chunk) {
    out_.reserve(chunk_ + 64);
  }
  void U8(uint8_t v) {
    out_.push_back(static_cast<char>(v));
    MaybeFlush();
  }
  void U32(uint32_t v) {
    PutFixed32(&out_, v);
    MaybeFlush();
  }
  void U64(uint64_t v) {
    PutFixed64(&out_, v);
    MaybeFlush();
  }
  void I64(int64_t v) {
    PutFixedI64(&out_, v);
    MaybeFlush();
  }
  void F64(double v) {
    PutDouble(&out_, v);
    MaybeFlush();
  }
  void Str(std::string_view s) {
    PutFixed32(&out_, static_cast<uint32_t>(s.size()));
    out_.append(s);
    MaybeFlush();
  }
  // A time and `nv` values, as I64 and nv F64 calls would write them (one
  // size check: a sliding window's state is mostly these).
  void Event(int64_t time, const double* values, size_t nv) {
    const size_t at = out_.size();
    out_.resize(at + 8 * (1 + nv));
    char* p = out_.data() + at;
    EncodeFixed<uint64_t>(p, static_cast<uint64_t>(time));
    for (size_t i = 0; i < nv; ++i) EncodeFixed<uint64_t>(p + 8 * (1 + i), DoubleBits(values[i]));
    MaybeFlush();
  }
  // Without a flush: the bytes. With one: hands on the rest, returns "".
  std::string Take() {
    if (flush_ && !out_.empty()) {
      flush_(out_);
      out_.clear();
    }
    return std::move(out_);
  }

 private:
  void MaybeFlush() {
    if (flush_ && out_.size() >= chunk_) {
      flush_(out_);
      out_.clear();
    }
  }
  std::string out_;
  std::function<void(std::string_view)> flush_;
  size_t chunk_ = 0;
};

// The Writer interface, counting bytes only: the length of an encoding
// without producing it.
class SizeCounter {
 public:
  void U8(uint8_t) { n_ += 1; }
  void U32(uint32_t) { n_ += 4; }
  void U64(uint64_t) { n_ += 8; }
  void I64(int64_t) { n_ += 8; }
  void F64(double) { n_ += 8; }
  void Str(std::string_view s) { n_ += 4 + s.size(); }
  void Event(int64_t, const double*, size_t nv) { n_ += 8 * (1 + nv); }
  uint64_t size() const { return n_; }

 private:
  uint64_t n_ = 0;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  uint8_t U8() { return Get<uint8_t>(); }
  uint32_t U32() { return Get<uint32_t>(); }
  uint64_t U64() { return Get<uint64_t>(); }
  int64_t I64() { return static_cast<int64_t>(Get<uint64_t>()); }
  double F64() { return DoubleFromBits(Get<uint64_t>()); }
  std::string Str() {
    uint32_t n = U32();
    if (!ok_ || n > in_.size() - pos_) {
      ok_ = false;
      return "";
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  bool AtEnd() const { return pos_ == in_.size(); }

 private:
  template <typename T>
  T Get() {
    T v{};
    if (!ok_ || in_.size() - pos_ < sizeof(T)) {
      ok_ = false;
      return v;
    }
    v = DecodeFixed<T>(in_.data() + pos_);
    pos_ += sizeof(T);
    return v;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_STATE_CODEC_H_
