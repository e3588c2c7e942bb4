#include "pantry/featurestore/store_url.h"

#include <cctype>
#include <charconv>

namespace pantry::featurestore {
namespace {

constexpr std::string_view kRedis = "redis://";
constexpr std::string_view kRedisCluster = "redis+cluster://";

StatusOr<int> ParseInt(std::string_view s, int min, int max, std::string_view what) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < min || v > max) {
    return InvalidArgumentError(std::string(what) + " \"" + std::string(s) + "\" is not a number " +
                                std::to_string(min) + "-" + std::to_string(max));
  }
  return v;
}

// %XX escapes, so that a password may contain '@', ':' or '/'.
StatusOr<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    int v = 0;
    if (i + 2 >= s.size() ||
        std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16).ec != std::errc()) {
      return InvalidArgumentError("bad %-escape in the user or password");
    }
    out.push_back(static_cast<char>(v));
    i += 2;
  }
  return out;
}

StatusOr<HostPort> ParseHostPort(std::string_view s) {
  HostPort hp;
  std::string_view port;
  if (s.starts_with('[')) {  // [IPv6]:port
    const size_t close = s.find(']');
    if (close == std::string_view::npos) return InvalidArgumentError("unclosed '[' in a host");
    hp.host = std::string(s.substr(1, close - 1));
    std::string_view rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return InvalidArgumentError("expected ':port' after ']'");
      port = rest.substr(1);
      if (port.empty()) return InvalidArgumentError("empty port");
    }
  } else {
    const size_t colon = s.find(':');
    hp.host = std::string(s.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = s.substr(colon + 1);
      if (port.empty()) return InvalidArgumentError("empty port");
    }
  }
  if (hp.host.empty()) return InvalidArgumentError("no host");
  if (!port.empty()) {
    ASSIGN_OR_RETURN(hp.port, ParseInt(port, 1, 65535, "port"));
  }
  return hp;
}

Status ParseQuery(std::string_view query, RedisOptions* o) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return InvalidArgumentError("option \"" + std::string(item) + "\" has no '='");
    }
    std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "prefix") {
      if (value.empty()) return InvalidArgumentError("empty prefix");
      for (char c : value) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
          return InvalidArgumentError("prefix \"" + std::string(value) +
                                      "\" may only hold letters, digits, '_', '-' and '.'");
        }
      }
      o->key_prefix = std::string(value);
    } else if (key == "connect_timeout_ms") {
      ASSIGN_OR_RETURN(o->connect_timeout_ms, ParseInt(value, 1, 600000, "connect_timeout_ms"));
    } else if (key == "timeout_ms") {
      ASSIGN_OR_RETURN(o->command_timeout_ms, ParseInt(value, 1, 600000, "timeout_ms"));
    } else {
      return InvalidArgumentError("unknown option \"" + std::string(key) +
                                  "\" (known: prefix, connect_timeout_ms, timeout_ms)");
    }
  }
  return Status::Ok();
}

Status ParseRedisUrlInto(std::string_view url, RedisOptions* o) {
  if (url.starts_with("rediss://")) {
    return InvalidArgumentError("TLS (rediss://) is not supported yet");
  }
  if (url.starts_with(kRedisCluster)) {
    o->cluster = true;
    url.remove_prefix(kRedisCluster.size());
  } else if (url.starts_with(kRedis)) {
    url.remove_prefix(kRedis.size());
  } else {
    return InvalidArgumentError("expected redis:// or redis+cluster://");
  }
  if (const size_t q = url.find('?'); q != std::string_view::npos) {
    RETURN_IF_ERROR(ParseQuery(url.substr(q + 1), o));
    url = url.substr(0, q);
  }
  if (const size_t at = url.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = url.substr(0, at);
    url = url.substr(at + 1);
    const size_t colon = userinfo.find(':');
    ASSIGN_OR_RETURN(o->user, PercentDecode(userinfo.substr(0, colon)));
    if (colon == std::string_view::npos) {
      return InvalidArgumentError("user without ':password' (write :password@ for no user)");
    }
    ASSIGN_OR_RETURN(o->password, PercentDecode(userinfo.substr(colon + 1)));
  }
  std::string_view hosts = url;
  if (const size_t slash = url.find('/'); slash != std::string_view::npos) {
    hosts = url.substr(0, slash);
    std::string_view db = url.substr(slash + 1);
    if (!db.empty()) {
      if (o->cluster) return InvalidArgumentError("a Redis Cluster has no databases (no /db)");
      ASSIGN_OR_RETURN(o->db, ParseInt(db, 0, 1 << 20, "database"));
    }
  }
  if (hosts.empty()) return InvalidArgumentError("no host");
  while (true) {
    const size_t comma = hosts.find(',');
    ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(hosts.substr(0, comma)));
    o->nodes.push_back(std::move(hp));
    if (comma == std::string_view::npos) break;
    hosts = hosts.substr(comma + 1);
  }
  if (!o->cluster && o->nodes.size() > 1) {
    return InvalidArgumentError("several hosts need redis+cluster://");
  }
  return Status::Ok();
}

}  // namespace

std::string MaskPassword(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const size_t start = scheme + 3;
  const size_t at = url.rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  const size_t colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

StatusOr<RedisOptions> ParseRedisUrl(std::string_view url) {
  RedisOptions o;
  Status s = ParseRedisUrlInto(url, &o);
  if (!s.ok()) return s.WithContext("online store URL \"" + MaskPassword(url) + "\"");
  return o;
}

Status SetOnlineStore(std::string_view spec, FeatureStoreOptions* options) {
  if (spec == "rocksdb" || spec.empty()) {
    options->online_backend = OnlineBackend::kRocksDb;
  } else if (spec == "memory") {
    options->online_backend = OnlineBackend::kMemory;
  } else if (spec.starts_with("redis")) {
    RETURN_IF_ERROR(ParseRedisUrl(spec).status());
    options->online_backend = OnlineBackend::kRedis;
  } else {
    return InvalidArgumentError("online store \"" + MaskPassword(spec) +
                                "\": expected rocksdb, memory, redis://host:port[/db] or "
                                "redis+cluster://host:port,host:port,...");
  }
  options->online_url = std::string(spec);
  return Status::Ok();
}

Status SetOfflineStore(std::string_view spec, FeatureStoreOptions* options) {
  if (spec == "sqlite" || spec.empty()) {
    options->offline_backend = OfflineBackend::kSqlite;
  } else if (spec.starts_with("postgresql://") || spec.starts_with("postgres://")) {
    options->offline_backend = OfflineBackend::kPostgresql;
  } else {
    return InvalidArgumentError("offline store \"" + MaskPassword(spec) +
                                "\": expected sqlite or postgresql://...");
  }
  options->offline_url = std::string(spec);
  return Status::Ok();
}

}  // namespace pantry::featurestore
