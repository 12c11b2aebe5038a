// Status and Result<T>: the error vocabulary of every LiteSR library module.
//
// Library code never throws for expected failures (bad files, bad arguments, I/O errors); it returns a
// Status or a Result<T>. The CLI is the one place that maps a StatusCode to a process exit code.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace litesr {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // the caller passed something unusable (bad option, bad shape)
  kNotFound,           // a file, model or key does not exist
  kAlreadyExists,      // an output exists and overwriting was not asked for
  kIoError,            // the OS refused a read or write
  kCorruptData,        // a file's bytes are malformed or truncated
  kUnsupported,        // well-formed, but a feature LiteSR does not handle
  kResourceExhausted,  // absurd dimensions, out of memory
  kCancelled,          // interrupted by the user (Ctrl-C)
  kInternal,           // a LiteSR bug
};

std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return {}; }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "corrupt data: foo.png: truncated IDAT chunk"
  std::string to_string() const;
  // Returns a copy whose message is prefixed by `context: ` (e.g. a file name).
  Status with_context(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status already_exists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status io_error(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status corrupt_data(std::string m) { return {StatusCode::kCorruptData, std::move(m)}; }
inline Status unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
inline Status resource_exhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
inline Status internal_error(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result constructed from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace litesr

#define LITESR_CONCAT_INNER_(a, b) a##b
#define LITESR_CONCAT_(a, b) LITESR_CONCAT_INNER_(a, b)

// Evaluates `expr` (a Status); returns it from the enclosing function when not OK.
#define LITESR_RETURN_IF_ERROR(expr)                  \
  do {                                                \
    ::litesr::Status litesr_status_ = (expr);         \
    if (!litesr_status_.ok()) return litesr_status_;  \
  } while (false)

// `LITESR_ASSIGN_OR_RETURN(auto x, make_x());` — unwraps a Result or returns its Status.
#define LITESR_ASSIGN_OR_RETURN(lhs, expr) \
  LITESR_ASSIGN_OR_RETURN_IMPL_(LITESR_CONCAT_(litesr_result_, __LINE__), lhs, expr)
#define LITESR_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
