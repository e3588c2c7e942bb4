// Little-endian byte writer/reader for the window state in checkpoints.
#ifndef PANTRY_STREAM_STATE_CODEC_H_
#define PANTRY_STREAM_STATE_CODEC_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace pantry::stream {

class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { out_.append(reinterpret_cast<const char*>(&v), 4); }
  void U64(uint64_t v) { out_.append(reinterpret_cast<const char*>(&v), 8); }
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void F64(double v) { out_.append(reinterpret_cast<const char*>(&v), 8); }
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
  double F64() { return Get<double>(); }
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
    std::memcpy(&v, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_STATE_CODEC_H_
