#include "pantry/models/tfidf_vectorizer.h"

#include <locale.h>
#include <wctype.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "pantry/models/model_json.h"

namespace pantry::models {
namespace {

// The C.UTF-8 locale gives towlower/iswalnum full Unicode tables regardless
// of the process locale; created once, never freed (process lifetime).
locale_t Utf8Locale() {
  static locale_t locale = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    if (l == static_cast<locale_t>(0))
      l = newlocale(LC_CTYPE_MASK, "C.utf8", static_cast<locale_t>(0));
    return l;
  }();
  return locale;
}

// Decodes one UTF-8 code point at text[*pos]; returns -1 for an invalid
// sequence (consuming one byte).
int32_t DecodeUtf8(std::string_view text, size_t* pos) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char c = byte(*pos);
  int length = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (length == 0 || *pos + length > text.size()) {
    ++*pos;
    return -1;
  }
  int32_t cp = length == 1 ? c : length == 2 ? (c & 0x1F) : length == 3 ? (c & 0x0F) : (c & 0x07);
  for (int i = 1; i < length; ++i) {
    unsigned char next = byte(*pos + i);
    if ((next >> 6) != 2) {
      ++*pos;
      return -1;
    }
    cp = (cp << 6) | (next & 0x3F);
  }
  *pos += length;
  return cp;
}

void AppendUtf8(int32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

std::vector<std::string> TfidfVectorizer::Tokenize(std::string_view text) {
  locale_t locale = Utf8Locale();
  std::vector<std::string> tokens;
  std::string current;
  size_t current_length = 0;  // in code points
  auto flush = [&] {
    if (current_length >= 2) tokens.push_back(current);
    current.clear();
    current_length = 0;
  };
  size_t pos = 0;
  while (pos < text.size()) {
    int32_t cp = DecodeUtf8(text, &pos);
    if (cp < 0) {
      flush();
      continue;
    }
    bool word;
    if (cp < 0x80) {
      word = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
             cp == '_';
      if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
    } else {
      word = iswalnum_l(static_cast<wint_t>(cp), locale) != 0;
      if (word) cp = static_cast<int32_t>(towlower_l(static_cast<wint_t>(cp), locale));
    }
    if (!word) {
      flush();
      continue;
    }
    AppendUtf8(cp, &current);
    ++current_length;
  }
  flush();
  return tokens;
}

StatusOr<TfidfVectorizer> TfidfVectorizer::Fit(std::span<const std::string> texts, int min_df) {
  if (min_df < 1) return InvalidArgumentError("TF-IDF: min_df must be at least 1");
  std::set<std::string_view> unique(texts.begin(), texts.end());
  std::map<std::string, int> df;  // sorted by byte order = code point order
  for (std::string_view text : unique) {
    std::vector<std::string> tokens = Tokenize(text);
    std::sort(tokens.begin(), tokens.end());
    tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
    for (std::string& token : tokens) ++df[std::move(token)];
  }
  TfidfVectorizer vectorizer;
  vectorizer.min_df_ = min_df;
  double n = static_cast<double>(unique.size());
  for (const auto& [term, count] : df) {
    if (count < min_df) continue;
    vectorizer.vocabulary_.push_back(term);
    vectorizer.idf_.push_back(std::log((1.0 + n) / (1.0 + count)) + 1.0);
  }
  if (vectorizer.vocabulary_.empty()) {
    return InvalidArgumentError("TF-IDF: empty vocabulary (no term occurs in " +
                                std::to_string(min_df) + " or more of the " +
                                std::to_string(unique.size()) + " distinct texts)");
  }
  vectorizer.BuildIndex();
  return vectorizer;
}

void TfidfVectorizer::BuildIndex() {
  index_.clear();
  for (uint32_t i = 0; i < vocabulary_.size(); ++i) index_.emplace(vocabulary_[i], i);
}

std::optional<uint32_t> TfidfVectorizer::TermIndex(std::string_view term) const {
  auto it = index_.find(std::string(term));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

void TfidfVectorizer::EncodeText(std::string_view text, std::vector<uint32_t>* indices,
                                 std::vector<float>* values) const {
  std::map<uint32_t, double> counts;
  for (const std::string& token : Tokenize(text)) {
    auto it = index_.find(token);
    if (it != index_.end()) counts[it->second] += 1.0;
  }
  double norm2 = 0;
  for (auto& [term, weight] : counts) {
    weight *= idf_[term];
    norm2 += weight * weight;
  }
  double inv_norm = norm2 > 0 ? 1.0 / std::sqrt(norm2) : 0.0;
  for (const auto& [term, weight] : counts) {
    indices->push_back(term);
    values->push_back(static_cast<float>(weight * inv_norm));
  }
}

CsrMatrix TfidfVectorizer::Transform(std::span<const std::string> texts) const {
  CsrMatrix out;
  out.cols = vocabulary_.size();
  out.indptr.reserve(texts.size() + 1);
  for (const std::string& text : texts) {
    EncodeText(text, &out.indices, &out.values);
    out.indptr.push_back(out.indices.size());
  }
  return out;
}

Json ModelJson::ToJson(const TfidfVectorizer& vectorizer) {
  return Json{{"type", "tfidf"},       {"min_df", vectorizer.min_df_},
              {"lowercase", true},     {"token_pattern", "(?u)\\b\\w\\w+\\b"},
              {"norm", "l2"},          {"smooth_idf", true},
              {"sublinear_tf", false}, {"vocabulary", vectorizer.vocabulary_},
              {"idf", vectorizer.idf_}};
}

StatusOr<TfidfVectorizer> ModelJson::TfidfVectorizerFromJson(const Json& json) {
  ASSIGN_OR_RETURN(std::string type, GetJsonString(json, "type"));
  if (type != "tfidf") return InvalidArgumentError("encoder type '" + type + "' is not tfidf");
  TfidfVectorizer vectorizer;
  ASSIGN_OR_RETURN(int64_t min_df, GetJsonInt(json, "min_df"));
  vectorizer.min_df_ = static_cast<int>(min_df);
  if (!json.contains("vocabulary") || !json["vocabulary"].is_array() || !json.contains("idf") ||
      !json["idf"].is_array() || json["idf"].size() != json["vocabulary"].size()) {
    return InvalidArgumentError("TF-IDF: 'vocabulary' and 'idf' must be arrays of equal length");
  }
  for (size_t i = 0; i < json["vocabulary"].size(); ++i) {
    const Json& term = json["vocabulary"][i];
    const Json& idf = json["idf"][i];
    if (!term.is_string() || !idf.is_number()) {
      return InvalidArgumentError("TF-IDF: vocabulary entry " + std::to_string(i) +
                                  " is not a (string, number) pair");
    }
    vectorizer.vocabulary_.push_back(term.get<std::string>());
    vectorizer.idf_.push_back(idf.get<double>());
  }
  vectorizer.BuildIndex();
  return vectorizer;
}

}  // namespace pantry::models
