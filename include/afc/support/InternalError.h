//===- InternalError.h - broken invariants, never user mistakes ---*- C++ -*-===//
//
// afc separates who is at fault, as Halide does: a user's mistake is a located
// diagnostic (DiagnosticEngine) or a component/model error with a message; a
// broken invariant is the compiler's fault and is reported here. These checks
// are always on (they do not depend on NDEBUG), so the regression tests, the
// sanitizer build and the fuzzer catch them in the default Release build.
//
// A failed check throws afc::InternalError. The driver turns it into
// "afc: internal error: ..." and exit code kInternalErrorExitCode; tests see
// the exception. Throwing (rather than aborting) lets a library caller such
// as a Python binding report the bug without losing the process, and TBB
// carries the exception out of parallel searches.
//
// This header depends on the C++ standard library only, so every layer
// (runtime libraries without LLVM included) can use it.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_SUPPORT_INTERNALERROR_H
#define AFC_SUPPORT_INTERNALERROR_H

#include <sstream>
#include <stdexcept>
#include <string>

namespace afc {

/// The driver's exit code for an internal error (EX_SOFTWARE in sysexits.h),
/// distinct from 1 (user error) and 130 (interrupted).
inline constexpr int kInternalErrorExitCode = 70;

/// A broken invariant of afc itself. what() is the full message, starting
/// with the source position of the check.
class InternalError : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

namespace detail {
/// Builds the message of a failed check; streamed parts are only evaluated
/// when the check fails.
class InternalErrorReporter {
public:
  InternalErrorReporter(const char *file, int line, const char *condition)
      : needsSeparator(condition != nullptr) {
    os << file << ":" << line << ": ";
    if (condition)
      os << "check '" << condition << "' failed";
  }
  template <class T> InternalErrorReporter &operator<<(const T &v) {
    if (needsSeparator) {
      os << ": ";
      needsSeparator = false;
    }
    os << v;
    return *this;
  }
  // Throws when the full expression that built the reporter ends, after all
  // streamed context has been added.
  ~InternalErrorReporter() noexcept(false) { throw InternalError(os.str()); }

private:
  std::ostringstream os;
  bool needsSeparator;
};
} // namespace detail

} // namespace afc

/// Checks an invariant; on failure throws afc::InternalError with the
/// condition, the position and any streamed context:
///   AFC_INTERNAL_ASSERT(level < n) << "level " << level << " of " << n;
#define AFC_INTERNAL_ASSERT(cond)                                              \
  if (cond) {                                                                  \
  } else                                                                       \
    ::afc::detail::InternalErrorReporter(__FILE__, __LINE__, #cond)

/// An unconditional internal error: AFC_INTERNAL_ERROR << "unreachable kind";
#define AFC_INTERNAL_ERROR                                                     \
  ::afc::detail::InternalErrorReporter(__FILE__, __LINE__, nullptr)

#endif // AFC_SUPPORT_INTERNALERROR_H
