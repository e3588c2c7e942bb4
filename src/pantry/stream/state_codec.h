// Little-endian byte writer/reader for the window state in checkpoints
// (fixed-width encoding from common/coding.h).
#ifndef PANTRY_STREAM_STATE_CODEC_H_
#define PANTRY_STREAM_STATE_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pantry/common/coding.h"

namespace pantry::stream {

class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { PutFixed32(&out_, v); }
  void U64(uint64_t v) { PutFixed64(&out_, v); }
  void I64(int64_t v) { PutFixedI64(&out_, v); }
  void F64(double v) { PutDouble(&out_, v); }
  void Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
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
