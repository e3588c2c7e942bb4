#include "pantry/workshop/postgres_model_registry.h"

#include <fstream>
#include <mutex>
#include <system_error>

#include "pantry/common/file_util.h"
#include "pantry/featurestore/pg_connection.h"
#include "pantry/recommend/blend_model.h"

namespace pantry::workshop {
namespace {

namespace fs = std::filesystem;
using featurestore::PgConnection;
using featurestore::PgRows;

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

StatusOr<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return CorruptionError("model file: odd hex length");
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexDigit(hex[2 * i]), lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return CorruptionError("model file: bad hex digit");
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

// libpq refuses URI parameters it does not know; pantry_query_role is the
// offline store's own.
std::string WithoutQueryRole(const std::string& url) {
  const size_t q = url.find('?');
  if (q == std::string::npos) return url;
  std::string out = url.substr(0, q);
  std::string_view rest = std::string_view(url).substr(q + 1);
  char sep = '?';
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view param = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (param.starts_with("pantry_query_role=")) continue;
    out += sep;
    out += param;
    sep = '&';
  }
  return out;
}

class PostgresModelRegistry final : public models::ModelRegistry {
 public:
  explicit PostgresModelRegistry(std::unique_ptr<PgConnection> conn) : conn_(std::move(conn)) {}

  Status Init() {
    std::lock_guard lock(mu_);
    // The advisory lock keeps concurrent first opens from racing on the
    // catalog (CREATE TABLE IF NOT EXISTS is not safe against that).
    return conn_->Exec(
        "BEGIN; SELECT pg_advisory_xact_lock(1886216564); "
        "CREATE TABLE IF NOT EXISTS _pantry_model_versions (kind text NOT NULL, version text NOT "
        "NULL, created timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (kind, version)); "
        "CREATE TABLE IF NOT EXISTS _pantry_model_files (kind text NOT NULL, version text NOT "
        "NULL, path text NOT NULL, content bytea NOT NULL, PRIMARY KEY (kind, version, path)); "
        "CREATE TABLE IF NOT EXISTS _pantry_model_current (kind text PRIMARY KEY, version text "
        "NOT NULL); COMMIT");
  }

  Status Publish(const std::string& kind, const std::string& version,
                 const fs::path& dir) override {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(conn_->EnsureConnected());
    RETURN_IF_ERROR(conn_->Exec("BEGIN"));
    Status s = PublishLocked(kind, version, dir);
    if (s.ok()) s = conn_->Exec("COMMIT");
    if (!s.ok() && !conn_->broken()) conn_->Exec("ROLLBACK").IgnoreError();
    return s.WithContext("publishing model " + kind + "/" + version);
  }

  StatusOr<std::optional<std::string>> Current(const std::string& kind) const override {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(conn_->EnsureConnected());
    ASSIGN_OR_RETURN(
        PgRows rows,
        conn_->Query("SELECT version FROM _pantry_model_current WHERE kind = $1", {&kind, 1}));
    if (rows.rows.empty()) return std::optional<std::string>();
    return std::optional<std::string>(rows.rows[0][0].ToString());
  }

  StatusOr<bool> Contains(const std::string& kind, const std::string& version) const override {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(conn_->EnsureConnected());
    const std::string params[] = {kind, version};
    ASSIGN_OR_RETURN(PgRows rows, conn_->Query("SELECT 1 FROM _pantry_model_versions WHERE kind "
                                               "= $1 AND version = $2",
                                               params));
    return !rows.rows.empty();
  }

  Status Fetch(const std::string& kind, const std::string& version,
               const fs::path& dir) const override {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(conn_->EnsureConnected());
    const std::string params[] = {kind, version};
    ASSIGN_OR_RETURN(PgRows stored, conn_->Query("SELECT 1 FROM _pantry_model_versions WHERE "
                                                 "kind = $1 AND version = $2",
                                                 params));
    if (stored.rows.empty()) {
      return NotFoundError("model " + kind + "/" + version + " not in " + Describe());
    }
    ASSIGN_OR_RETURN(PgRows paths, conn_->Query("SELECT path FROM _pantry_model_files WHERE kind "
                                                "= $1 AND version = $2 ORDER BY path",
                                                params));
    for (const auto& row : paths.rows) {
      const std::string path = row[0].ToString();
      const fs::path relative(path);
      if (relative.is_absolute() || path.find("..") != std::string::npos) {
        return CorruptionError("model " + kind + "/" + version + ": bad file path " + path);
      }
      const std::string file_params[] = {kind, version, path};
      ASSIGN_OR_RETURN(PgRows content,
                       conn_->Query("SELECT encode(content, 'hex') FROM _pantry_model_files "
                                    "WHERE kind = $1 AND version = $2 AND path = $3",
                                    file_params));
      if (content.rows.empty()) continue;
      ASSIGN_OR_RETURN(std::string bytes, FromHex(content.rows[0][0].ToString()));
      std::error_code ec;
      fs::create_directories((dir / relative).parent_path(), ec);
      RETURN_IF_ERROR(WriteFileAtomic(dir / relative, bytes));
    }
    return Status::Ok();
  }

  std::string Describe() const override {
    return "the PostgreSQL model registry at " + conn_->endpoint();
  }

 private:
  Status PublishLocked(const std::string& kind, const std::string& version, const fs::path& dir) {
    const std::string params[] = {kind, version};
    ASSIGN_OR_RETURN(PgRows inserted,
                     conn_->Query("INSERT INTO _pantry_model_versions (kind, version) VALUES ($1, "
                                  "$2) ON CONFLICT DO NOTHING RETURNING 1",
                                  params));
    if (!inserted.rows.empty()) {  // new: its files (an existing version is immutable)
      std::error_code ec;
      for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(it->path()));
        const std::string file_params[] = {
            kind, version, fs::relative(it->path(), dir).generic_string(), ToHex(bytes)};
        RETURN_IF_ERROR(conn_
                            ->Query("INSERT INTO _pantry_model_files (kind, version, path, "
                                    "content) VALUES ($1, $2, $3, decode($4, 'hex'))",
                                    file_params)
                            .status());
      }
      if (ec) return IOError("cannot list " + dir.string() + ": " + ec.message());
    }
    return conn_
        ->Query(
            "INSERT INTO _pantry_model_current (kind, version) VALUES ($1, $2) ON CONFLICT "
            "(kind) DO UPDATE SET version = excluded.version",
            params)
        .status();
  }

  mutable std::mutex mu_;  // guards conn_
  std::unique_ptr<PgConnection> conn_;
};

}  // namespace

StatusOr<std::unique_ptr<models::ModelRegistry>> OpenPostgresModelRegistry(const std::string& url) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn,
                   PgConnection::Connect(WithoutQueryRole(url)));
  auto registry = std::make_unique<PostgresModelRegistry>(std::move(conn));
  RETURN_IF_ERROR(registry->Init().WithContext("model registry"));
  return std::unique_ptr<models::ModelRegistry>(std::move(registry));
}

StatusOr<std::unique_ptr<models::ModelRegistry>> OpenSharedModelRegistry(
    const featurestore::FeatureStoreOptions& backends) {
  if (backends.offline_backend != featurestore::OfflineBackend::kPostgresql) {
    return std::unique_ptr<models::ModelRegistry>();
  }
  return OpenPostgresModelRegistry(backends.offline_url);
}

Status PushModelsToSharedRegistry(const std::filesystem::path& home,
                                  const featurestore::FeatureStoreOptions& backends) {
  ASSIGN_OR_RETURN(std::unique_ptr<models::ModelRegistry> registry,
                   OpenSharedModelRegistry(backends));
  if (registry == nullptr) return Status::Ok();
  for (const char* kind : {"cf", recommend::kBlendModelKind, "rank"}) {
    RETURN_IF_ERROR(models::PushCurrentVersion(*registry, home, kind).status());
  }
  return Status::Ok();
}

}  // namespace pantry::workshop
