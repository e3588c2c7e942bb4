#include "pantry/server/base64.h"

#include <array>
#include <cstdint>

namespace pantry::server {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (int i = 0; i < 64; ++i)
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return table;
}

constexpr std::array<int8_t, 256> kDecode = MakeDecodeTable();

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

StatusOr<std::string> Base64Decode(std::string_view text) {
  std::string out;
  RETURN_IF_ERROR(Base64DecodeAppend(text, &out));
  return out;
}

Status Base64DecodeAppend(std::string_view text, std::string* out) {
  if (text.size() % 4 != 0) {
    return InvalidArgumentError("invalid base64: length " + std::to_string(text.size()) +
                                " is not a multiple of 4");
  }
  const size_t start = out->size();
  out->resize(start + text.size() / 4 * 3);
  char* dst = out->data() + start;
  const auto* src = reinterpret_cast<const unsigned char*>(text.data());
  // Whole quads without padding: everything but the last one.
  const size_t body = text.empty() ? 0 : text.size() - 4;
  for (size_t i = 0; i < body; i += 4) {
    const int8_t a = kDecode[src[i]], b = kDecode[src[i + 1]];
    const int8_t c = kDecode[src[i + 2]], d = kDecode[src[i + 3]];
    if ((a | b | c | d) < 0) {
      size_t bad = i;
      while (kDecode[src[bad]] >= 0) ++bad;
      out->resize(start);
      return InvalidArgumentError("invalid base64: unexpected character at position " +
                                  std::to_string(bad + 1));
    }
    const uint32_t v = (static_cast<uint32_t>(a) << 18) | (static_cast<uint32_t>(b) << 12) |
                       (static_cast<uint32_t>(c) << 6) | static_cast<uint32_t>(d);
    dst[0] = static_cast<char>(v >> 16);
    dst[1] = static_cast<char>((v >> 8) & 0xFF);
    dst[2] = static_cast<char>(v & 0xFF);
    dst += 3;
  }
  if (text.empty()) return Status::Ok();
  // The last quad, which may carry padding.
  const size_t i = body;
  int padding = 0;
  uint32_t v = 0;
  for (size_t j = 0; j < 4; ++j) {
    unsigned char c = src[i + j];
    if (c == '=' && j >= 2) {
      if (j == 2 && src[i + 3] != '=') {
        out->resize(start);
        return InvalidArgumentError("invalid base64: misplaced '=' at character " +
                                    std::to_string(i + j + 1));
      }
      ++padding;
      v <<= 6;
      continue;
    }
    int8_t d = kDecode[c];
    if (d < 0 || padding > 0) {
      out->resize(start);
      return InvalidArgumentError("invalid base64: unexpected character at position " +
                                  std::to_string(i + j + 1));
    }
    v = (v << 6) | static_cast<uint32_t>(d);
  }
  if ((padding == 1 && (v & 0xFF) != 0) || (padding == 2 && (v & 0xFFFF) != 0)) {
    out->resize(start);
    return InvalidArgumentError("invalid base64: non-zero bits before the padding");
  }
  *dst++ = static_cast<char>((v >> 16) & 0xFF);
  if (padding < 2) *dst++ = static_cast<char>((v >> 8) & 0xFF);
  if (padding < 1) *dst++ = static_cast<char>(v & 0xFF);
  out->resize(static_cast<size_t>(dst - out->data()));
  return Status::Ok();
}

}  // namespace pantry::server
