#include "pantry/testing/postgres_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace pantry::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kServerUser[] = "pantry-pg";

// The directory holding initdb and postgres: $PANTRY_PG_BINDIR, else the
// newest /usr/lib/postgresql/<version>/bin (Debian keeps them off PATH).
fs::path FindBinDir() {
  if (const char* env = std::getenv("PANTRY_PG_BINDIR"); env && *env) return env;
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (fs::exists(entry.path() / "bin" / "postgres")) found.push_back(entry.path() / "bin");
  }
  if (found.empty()) return {};
  std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
    return std::atoi(a.parent_path().filename().c_str()) <
           std::atoi(b.parent_path().filename().c_str());
  });
  return found.back();
}

// A port nobody listens on right now (the kernel's pick for port 0).
StatusOr<int> FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return ErrnoError("socket", errno);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int e = errno;
    ::close(fd);
    return ErrnoError("bind", e);
  }
  ::close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// As root: the unprivileged user the server runs as, created if missing.
Status EnsureServerUser() {
  if (::getpwnam(kServerUser) != nullptr) return Status::Ok();
  CommandResult r = RunCommand("/usr/sbin/useradd", {"--system", "--no-create-home", "--shell",
                                                     "/usr/sbin/nologin", kServerUser});
  if (r.exit_code != 0 && ::getpwnam(kServerUser) == nullptr) {
    return FailedPreconditionError(std::string("PostgreSQL cannot run as root and useradd ") +
                                   kServerUser + " failed: " + r.err);
  }
  return Status::Ok();
}

Status Chown(const fs::path& path, const std::string& user) {
  const passwd* pw = ::getpwnam(user.c_str());
  if (pw == nullptr) return NotFoundError("no user " + user);
  if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    return ErrnoError("chown " + path.string(), errno);
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  server->bin_dir_ = FindBinDir();
  if (server->bin_dir_.empty() || !fs::exists(server->bin_dir_ / "initdb")) {
    return FailedPreconditionError(
        "PostgreSQL server binaries (initdb, postgres) not found under /usr/lib/postgresql/*/bin "
        "or $PANTRY_PG_BINDIR: install the Debian package 'postgresql' (scripts/install-deps)");
  }
  if (::geteuid() == 0) {
    RETURN_IF_ERROR(EnsureServerUser());
    server->user_ = kServerUser;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/pantry_pg-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return ErrnoError("mkdtemp " + pattern, errno);
  server->dir_ = pattern;
  if (!server->user_.empty()) RETURN_IF_ERROR(Chown(server->dir_, server->user_));
  ::chmod(server->dir_.c_str(), 0755);  // the test reads the server log

  RETURN_IF_ERROR(server->InitDataDirectory(tmp && *tmp ? tmp : "/tmp"));
  // A port picked free may be taken before the server binds it: retry.
  Status started;
  for (int attempt = 0; attempt < 3; ++attempt) {
    ASSIGN_OR_RETURN(server->port_, FreePort());
    started = server->Launch();
    if (started.ok()) return server;
  }
  return started;
}

PostgresServer::~PostgresServer() {
  // Immediate shutdown: the data directory is removed right after, so the
  // shutdown checkpoint would be wasted time.
  if (postmaster_ != nullptr) postmaster_->Stop(SIGQUIT);
  postmaster_.reset();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

// initdb takes seconds; a cluster initialised once per machine, version and
// user is copied instead (cp -a: a few hundred milliseconds). The template
// is built under a unique name and renamed into place, so concurrent test
// processes never see half of one.
Status PostgresServer::InitDataDirectory(const std::string& tmp) {
  const fs::path tmpl =
      fs::path(tmp) / ("pantry_pg_template-" + bin_dir_.parent_path().filename().string() + "-" +
                       (user_.empty() ? std::to_string(::geteuid()) : user_));
  if (!fs::exists(tmpl / "PG_VERSION")) {
    const fs::path building = dir_ / "template";
    CommandResult init = RunAs((bin_dir_ / "initdb").string(),
                               {"-D", building.string(), "-U", "postgres", "--auth=trust", "-E",
                                "UTF8", "--locale=C", "--no-sync", "--no-instructions"});
    if (init.exit_code != 0) {
      return InternalError("initdb failed (exit " + std::to_string(init.exit_code) +
                           "): " + init.err + init.out);
    }
    std::error_code ec;
    fs::rename(building, tmpl, ec);  // fails harmlessly if another process won
    if (ec) fs::remove_all(building, ec);
  }
  CommandResult copy = RunAs("/bin/cp", {"-a", tmpl.string(), (dir_ / "data").string()});
  if (copy.exit_code != 0) {
    return InternalError("cannot copy the PostgreSQL template " + tmpl.string() + ": " + copy.err);
  }
  return Status::Ok();
}

std::vector<std::string> PostgresServer::AsUserPrefix() const {
  if (user_.empty()) return {};
  return {"--reuid=" + user_, "--regid=" + user_, "--clear-groups"};
}

CommandResult PostgresServer::RunAs(const std::string& binary,
                                    const std::vector<std::string>& args) const {
  if (user_.empty()) return RunCommand(binary, args);
  std::vector<std::string> full = AsUserPrefix();
  full.push_back(binary);
  full.insert(full.end(), args.begin(), args.end());
  return RunCommand("/usr/bin/setpriv", full);
}

Status PostgresServer::Launch() {
  const fs::path log = dir_ / "server.log";
  std::vector<std::string> args = {"-D", (dir_ / "data").string(),
                                   "-p", std::to_string(port_),
                                   "-k", dir_.string(),
                                   "-c", "listen_addresses=127.0.0.1",
                                   "-c", "fsync=off",
                                   "-c", "synchronous_commit=off",
                                   "-c", "full_page_writes=off",
                                   "-c", "shared_buffers=16MB",
                                   "-c", "max_connections=40"};
  SubprocessOptions options;
  options.stderr_path = log;
  options.stdout_path = dir_ / "server.out";
  std::string binary = (bin_dir_ / "postgres").string();
  if (!user_.empty()) {
    std::vector<std::string> full = AsUserPrefix();
    full.push_back(binary);
    full.insert(full.end(), args.begin(), args.end());
    args = std::move(full);
    binary = "/usr/bin/setpriv";  // execs postgres: the child pid is the postmaster
  }
  postmaster_ = std::make_unique<Subprocess>(binary, args, options);
  if (!postmaster_->started()) {
    std::string error = postmaster_->error();
    postmaster_.reset();
    return InternalError("cannot start postgres: " + error);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    CommandResult ready = RunCommand((bin_dir_ / "pg_isready").string(),
                                     {"-h", "127.0.0.1", "-p", std::to_string(port_), "-q"});
    if (ready.exit_code == 0) return Status::Ok();
    if (::kill(postmaster_->pid(), 0) != 0) break;  // it exited (port taken, ...)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  postmaster_->Stop(SIGQUIT);
  postmaster_.reset();
  return InternalError("PostgreSQL did not start on port " + std::to_string(port_) +
                       "; its log:\n" + Slurp(log));
}

Status PostgresServer::Stop() {
  if (postmaster_ == nullptr) return Status::Ok();
  // SIGINT: fast shutdown (clients disconnected, clean checkpoint).
  postmaster_->Stop(SIGINT);
  postmaster_.reset();
  return Status::Ok();
}

Status PostgresServer::Restart() {
  RETURN_IF_ERROR(Stop());
  return Launch();
}

std::string PostgresServer::Url(std::string_view database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + std::string(database);
}

StatusOr<std::string> PostgresServer::Psql(std::string_view database, std::string_view sql) {
  CommandResult r = RunCommand((bin_dir_ / "psql").string(),
                               {"-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                                "-p", std::to_string(port_), "-U", "postgres", "-d",
                                std::string(database), "-c", std::string(sql)});
  if (r.exit_code != 0) return InternalError("psql: " + r.err);
  return r.out;
}

Status PostgresServer::CreateDatabase(std::string_view name) {
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return InvalidArgumentError("database name must be letters, digits and underscores");
    }
  }
  return Psql("postgres", "CREATE DATABASE " + std::string(name)).status();
}

}  // namespace pantry::testing
