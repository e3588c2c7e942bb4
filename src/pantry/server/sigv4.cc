#include "pantry/server/sigv4.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "pantry/server/crypto.h"
#include "pantry/server/http_message.h"

namespace pantry::server {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr int64_t kMaxPresignedExpiry = 7 * 24 * 3600;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// SigV4's UriEncode: unreserved characters stay, every other byte is %XX.
std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (char c : s) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kDigits[byte >> 4]);
      out.push_back(kDigits[byte & 0xf]);
    }
  }
  return out;
}

// RFC 3986 5.2.4 plus the removal of empty segments, as the SDKs normalise
// the path before signing it.
std::string RemoveDotSegments(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view segment = path.substr(start, slash - start);
    if (segment == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!segment.empty() && segment != ".") {
      out.push_back(segment);
    }
    start = slash + 1;
  }
  std::string result = path.front() == '/' ? "/" : "";
  for (size_t i = 0; i < out.size(); ++i) {
    if (i > 0) result.push_back('/');
    result.append(out[i]);
  }
  if (path.back() == '/' && !out.empty()) result.push_back('/');
  return result;
}

// Collapses runs of whitespace inside a header value, as the canonical
// headers require.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : Trim(value)) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// (encoded name, encoded value) pairs of the query, sorted; the presigned
// signature itself is not part of what was signed.
std::string CanonicalQuery(const HttpRequest& request) {
  std::vector<std::pair<std::string, std::string>> pairs;
  auto add = [&pairs](std::string_view name, std::string_view value) {
    if (name == "X-Amz-Signature") return;
    pairs.emplace_back(UriEncode(name, false), UriEncode(value, false));
  };
  if (!request.target.empty()) {
    size_t question = request.target.find('?');
    std::string_view query = question == std::string::npos
                                 ? std::string_view()
                                 : std::string_view(request.target).substr(question + 1);
    size_t start = 0;
    while (start < query.size()) {
      size_t amp = query.find('&', start);
      if (amp == std::string_view::npos) amp = query.size();
      std::string_view pair = query.substr(start, amp - start);
      if (!pair.empty()) {
        size_t eq = pair.find('=');
        std::string_view name = pair.substr(0, eq);
        std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
        // Signers encode a space as %20 and a literal '+' as %2B, so a raw
        // '+' stands for itself.
        add(PercentDecode(name, false), PercentDecode(value, false));
      }
      start = amp + 1;
    }
  } else {
    for (const auto& [name, value] : request.query) add(name, value);
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out.append(name).append("=").append(value);
  }
  return out;
}

std::string CanonicalPath(const HttpRequest& request) {
  std::string_view raw = request.target;
  std::string encoded_from_path;
  if (raw.empty()) {
    encoded_from_path = UriEncode(request.path, true);
    raw = encoded_from_path;
  } else {
    raw = raw.substr(0, raw.find('?'));
  }
  // The SDKs (other than for S3) encode the path as it goes on the wire once
  // more, so "%20" in the request-target is signed as "%2520".
  return UriEncode(RemoveDotSegments(raw), true);
}

std::vector<std::string_view> Split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t at = s.find(separator, start);
    if (at == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, at - start));
    start = at + 1;
  }
}

Status ParseCredential(std::string_view credential, SigV4Fields* fields) {
  std::vector<std::string_view> parts = Split(credential, '/');
  if (parts.size() != 5 || parts[0].empty() || parts[1].size() != 8 || parts[2].empty() ||
      parts[3].empty() || parts[4] != "aws4_request") {
    return InvalidArgumentError(
        "Credential must be <access key id>/<yyyymmdd>/<region>/<service>/aws4_request");
  }
  fields->access_key_id = std::string(parts[0]);
  fields->date = std::string(parts[1]);
  fields->region = std::string(parts[2]);
  fields->service = std::string(parts[3]);
  return Status::Ok();
}

StatusOr<SigV4Fields> ParseHeaderForm(const HttpRequest& request, std::string_view value) {
  SigV4Fields fields;
  value = Trim(value);
  if (!value.starts_with(kAlgorithm)) {
    return InvalidArgumentError("only the AWS4-HMAC-SHA256 algorithm is supported");
  }
  value.remove_prefix(kAlgorithm.size());
  bool has_credential = false;
  for (std::string_view part : Split(value, ',')) {
    part = Trim(part);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = part.substr(0, eq);
    std::string_view field = part.substr(eq + 1);
    if (name == "Credential") {
      RETURN_IF_ERROR(ParseCredential(field, &fields));
      has_credential = true;
    } else if (name == "SignedHeaders") {
      fields.signed_headers = std::string(field);
    } else if (name == "Signature") {
      fields.signature = std::string(field);
    }
  }
  if (!has_credential) return InvalidArgumentError("the Authorization header has no Credential");
  if (fields.signed_headers.empty()) {
    return InvalidArgumentError("the Authorization header has no SignedHeaders");
  }
  if (fields.signature.empty()) {
    return InvalidArgumentError("the Authorization header has no Signature");
  }
  const std::string* date = request.Header("x-amz-date");
  if (date == nullptr) return InvalidArgumentError("a SigV4 request needs an X-Amz-Date header");
  fields.amz_date = *date;
  return fields;
}

StatusOr<SigV4Fields> ParseQueryForm(const HttpRequest& request) {
  SigV4Fields fields;
  fields.presigned = true;
  const std::string* algorithm = request.Query("X-Amz-Algorithm");
  if (algorithm == nullptr || *algorithm != kAlgorithm) {
    return InvalidArgumentError("X-Amz-Algorithm must be AWS4-HMAC-SHA256");
  }
  auto required = [&request](std::string_view name) -> StatusOr<std::string> {
    const std::string* value = request.Query(name);
    if (value == nullptr || value->empty()) {
      return InvalidArgumentError("the presigned URL has no " + std::string(name));
    }
    return *value;
  };
  ASSIGN_OR_RETURN(std::string credential, required("X-Amz-Credential"));
  RETURN_IF_ERROR(ParseCredential(credential, &fields));
  ASSIGN_OR_RETURN(fields.amz_date, required("X-Amz-Date"));
  ASSIGN_OR_RETURN(fields.signed_headers, required("X-Amz-SignedHeaders"));
  ASSIGN_OR_RETURN(fields.signature, required("X-Amz-Signature"));
  ASSIGN_OR_RETURN(std::string expires, required("X-Amz-Expires"));
  if (expires.size() > 7 || !std::all_of(expires.begin(), expires.end(), ::isdigit)) {
    return InvalidArgumentError("X-Amz-Expires must be a number of seconds");
  }
  fields.expires_seconds = std::stoll(expires);
  if (fields.expires_seconds < 1 || fields.expires_seconds > kMaxPresignedExpiry) {
    return InvalidArgumentError("X-Amz-Expires must be between 1 and 604800 seconds");
  }
  return fields;
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

SigV4Result Fail(SigV4Verdict verdict, std::string message) {
  return SigV4Result{verdict, std::move(message)};
}

// The checks that do not need the body; fills *fields.
SigV4Result Precheck(const HttpRequest& request, const AwsCredentials& credentials,
                     int64_t now_seconds, int64_t max_skew_seconds, SigV4Fields* fields) {
  StatusOr<SigV4Fields> parsed = ParseSigV4(request);
  if (!parsed.ok()) return Fail(SigV4Verdict::kMalformed, parsed.status().message());
  *fields = std::move(*parsed);
  if (!ConstantTimeEquals(Sha256(fields->access_key_id), Sha256(credentials.access_key_id))) {
    return Fail(SigV4Verdict::kUnknownAccessKey,
                "The security token included in the request is invalid (unknown access key id).");
  }
  StatusOr<int64_t> signed_at = ParseAmzDate(fields->amz_date);
  if (!signed_at.ok()) return Fail(SigV4Verdict::kMalformed, signed_at.status().message());
  if (fields->amz_date.compare(0, 8, fields->date) != 0) {
    return Fail(SigV4Verdict::kMalformed,
                "the date of the credential scope is not the date of X-Amz-Date");
  }
  std::vector<std::string_view> signed_headers = Split(fields->signed_headers, ';');
  if (std::find(signed_headers.begin(), signed_headers.end(), "host") == signed_headers.end()) {
    return Fail(SigV4Verdict::kMalformed, "SignedHeaders must include host");
  }
  if (fields->presigned) {
    if (now_seconds + max_skew_seconds < *signed_at ||
        now_seconds > *signed_at + fields->expires_seconds) {
      return Fail(SigV4Verdict::kExpired, "Signature expired: the presigned URL is not valid now");
    }
  } else if (now_seconds - *signed_at > max_skew_seconds ||
             *signed_at - now_seconds > max_skew_seconds) {
    return Fail(SigV4Verdict::kExpired,
                "Signature expired: " + fields->amz_date + " is more than " +
                    std::to_string(max_skew_seconds / 60) + " minutes away from the server's time");
  }
  return SigV4Result{};
}

}  // namespace

bool HasSigV4(const HttpRequest& request) {
  if (const std::string* authorization = request.Header("authorization")) {
    return Trim(*authorization).starts_with(kAlgorithm);
  }
  return request.Query("X-Amz-Algorithm") != nullptr ||
         request.Query("X-Amz-Credential") != nullptr;
}

StatusOr<SigV4Fields> ParseSigV4(const HttpRequest& request) {
  if (const std::string* authorization = request.Header("authorization")) {
    return ParseHeaderForm(request, *authorization);
  }
  return ParseQueryForm(request);
}

std::string SigV4CanonicalRequest(const HttpRequest& request, const SigV4Fields& fields,
                                  std::string_view payload_hash_hex) {
  std::string out;
  out.reserve(512);
  out.append(request.method).push_back('\n');
  out.append(CanonicalPath(request)).push_back('\n');
  out.append(CanonicalQuery(request)).push_back('\n');
  for (std::string_view name : Split(fields.signed_headers, ';')) {
    std::string lower = Lower(name);
    std::string values;
    for (const auto& [header, value] : request.headers) {
      if (header != lower) continue;
      if (!values.empty()) values.push_back(',');
      values.append(CanonicalHeaderValue(value));
    }
    out.append(lower).append(":").append(values).push_back('\n');
  }
  out.push_back('\n');
  out.append(fields.signed_headers).push_back('\n');
  out.append(payload_hash_hex);
  return out;
}

std::string SigV4StringToSign(const SigV4Fields& fields, std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out.append("\n").append(fields.amz_date).append("\n");
  out.append(fields.date).append("/").append(fields.region).append("/");
  out.append(fields.service).append("/aws4_request\n");
  out.append(HexEncode(Sha256(canonical_request)));
  return out;
}

std::string SigV4Signature(std::string_view secret, const SigV4Fields& fields,
                           std::string_view string_to_sign) {
  std::string key = HmacSha256("AWS4" + std::string(secret), fields.date);
  key = HmacSha256(key, fields.region);
  key = HmacSha256(key, fields.service);
  key = HmacSha256(key, "aws4_request");
  return HexEncode(HmacSha256(key, string_to_sign));
}

StatusOr<int64_t> ParseAmzDate(std::string_view s) {
  auto digits = [s](size_t from, size_t count) -> int {
    int value = 0;
    for (size_t i = from; i < from + count; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
      value = value * 10 + (s[i] - '0');
    }
    return value;
  };
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') {
    return InvalidArgumentError("X-Amz-Date must look like 20261127T030000Z");
  }
  int year = digits(0, 4), month = digits(4, 2), day = digits(6, 2);
  int hour = digits(9, 2), minute = digits(11, 2), second = digits(13, 2);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 60) {
    return InvalidArgumentError("X-Amz-Date must look like 20261127T030000Z");
  }
  return DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
         hour * 3600 + minute * 60 + second;
}

SigV4Result PrecheckSigV4(const HttpRequest& request, const AwsCredentials& credentials,
                          int64_t now_seconds, int64_t max_skew_seconds) {
  SigV4Fields fields;
  return Precheck(request, credentials, now_seconds, max_skew_seconds, &fields);
}

SigV4Result VerifySigV4(const HttpRequest& request, const AwsCredentials& credentials,
                        int64_t now_seconds, int64_t max_skew_seconds) {
  SigV4Fields fields;
  SigV4Result result = Precheck(request, credentials, now_seconds, max_skew_seconds, &fields);
  if (result.verdict != SigV4Verdict::kValid) return result;
  std::string payload_hash =
      fields.presigned ? std::string(kUnsignedPayload) : HexEncode(Sha256(request.body));
  std::string canonical = SigV4CanonicalRequest(request, fields, payload_hash);
  std::string expected =
      SigV4Signature(credentials.secret_access_key, fields, SigV4StringToSign(fields, canonical));
  if (!ConstantTimeEquals(expected, Lower(fields.signature))) {
    return Fail(SigV4Verdict::kMismatch,
                "The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method.");
  }
  return result;
}

}  // namespace pantry::server
