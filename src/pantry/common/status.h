// Status and StatusOr<T>: how errors cross subsystem boundaries in pantry.
//
// A Status is either OK or carries a code and a human-readable message that
// names what failed (a file, line and column; a feature group; a flag).
// Functions never throw across a subsystem boundary; libraries that throw are
// caught in the one adapter file that includes them and converted here.
#ifndef PANTRY_COMMON_STATUS_H_
#define PANTRY_COMMON_STATUS_H_

#include <cassert>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pantry {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,
  kNotFound = 2,
  kAlreadyExists = 3,
  kFailedPrecondition = 4,
  kUnavailable = 5,
  kIOError = 6,
  kCorruption = 7,
  kInternal = 8,
};

// Returns the code's name, e.g. "InvalidArgument".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "InvalidArgument: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(std::string_view context) const;

  // Explicitly discards a status the caller has decided not to handle.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);

Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status FailedPreconditionError(std::string message);
Status UnavailableError(std::string message);
Status IOError(std::string message);
Status CorruptionError(std::string message);
Status InternalError(std::string message);

// An IOError whose message is "<what>: <strerror(errno_value)>".
Status ErrnoError(std::string_view what, int errno_value);

// Holds either a value of type T or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  // Constructing from an OK status is a programming error; it becomes an
  // Internal error rather than an empty value.
  StatusOr(Status status)  // NOLINT(google-explicit-constructor)
      : status_(std::move(status)) {
    if (status_.ok()) status_ = InternalError("StatusOr constructed from OK status");
  }
  StatusOr(T value)  // NOLINT(google-explicit-constructor)
      : value_(std::move(value)) {}
  template <typename U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, Status> &&
           !std::is_same_v<std::decay_t<U>, T> && !std::is_same_v<std::decay_t<U>, StatusOr>)
      StatusOr(U&& value)  // NOLINT(google-explicit-constructor)
      : value_(T(std::forward<U>(value))) {}

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // Precondition: ok().
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace pantry

#define PANTRY_CONCAT_INNER_(a, b) a##b
#define PANTRY_CONCAT_(a, b) PANTRY_CONCAT_INNER_(a, b)

// Returns from the current function if `expr` yields a non-OK Status.
#define RETURN_IF_ERROR(expr)                        \
  do {                                               \
    ::pantry::Status pantry_status_ = (expr);        \
    if (!pantry_status_.ok()) return pantry_status_; \
  } while (false)

// ASSIGN_OR_RETURN(auto x, Foo()): evaluates Foo() (a StatusOr); on error
// returns its status, else moves the value into the declaration.
#define ASSIGN_OR_RETURN(lhs, expr) \
  PANTRY_ASSIGN_OR_RETURN_IMPL_(PANTRY_CONCAT_(pantry_statusor_, __LINE__), lhs, expr)
#define PANTRY_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#endif  // PANTRY_COMMON_STATUS_H_
