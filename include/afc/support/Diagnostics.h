//===- Diagnostics.h - located error reporting --------------------*- C++ -*-===//
//
// Every user-facing error in afc goes through a DiagnosticEngine so that it is
// printed the same way: `file:line:col: error: message`, the source line, a
// caret under the offending text, and optional `note:` lines with hints.
// The engine wraps llvm::SourceMgr, which owns all source buffers.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_SUPPORT_DIAGNOSTICS_H
#define AFC_SUPPORT_DIAGNOSTICS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace afc {

/// Where an error was reported, for callers that present errors in another
/// form than text (the Python module raises them as exceptions).
struct DiagnosticLocation {
  std::string file; ///< empty for errors without a location
  unsigned line = 0, column = 0;
  std::string message;
};

/// Reports errors, warnings and notes against locations in buffers owned by a
/// SourceMgr. Counting errors lets the front end keep going after the first
/// problem and report several in one run.
class DiagnosticEngine {
public:
  explicit DiagnosticEngine(llvm::SourceMgr &sm,
                            llvm::raw_ostream &os = llvm::errs())
      : sm(sm), os(os) {}

  llvm::SourceMgr &sourceMgr() { return sm; }

  void error(llvm::SMRange range, const llvm::Twine &msg);
  void warning(llvm::SMRange range, const llvm::Twine &msg);
  void note(llvm::SMRange range, const llvm::Twine &msg);
  /// An error at a location whose line should not be echoed (binary input).
  void errorWithoutSource(llvm::SMLoc loc, const llvm::Twine &msg);
  /// An error with no source location (e.g. a missing input file).
  void error(const llvm::Twine &msg);
  void note(const llvm::Twine &msg);

  unsigned errorCount() const { return numErrors; }
  /// The first error reported, if any.
  const std::optional<DiagnosticLocation> &firstError() const { return first; }
  bool hadError() const { return numErrors != 0; }

  /// Stops reporting after this many errors so that garbage input cannot
  /// flood the terminal.
  void setErrorLimit(unsigned limit) { errorLimit = limit; }

private:
  void print(llvm::SMRange range, llvm::SourceMgr::DiagKind kind,
             const llvm::Twine &msg);

  llvm::SourceMgr &sm;
  llvm::raw_ostream &os;
  unsigned numErrors = 0;
  unsigned errorLimit = 50;
  bool suppressed = false;
  std::optional<DiagnosticLocation> first;
  void recordError(llvm::SMLoc loc, const llvm::Twine &msg);
};

/// Returns the candidate closest to `word` by edit distance, or "" when none
/// is close enough to be a plausible typo.
std::string closestMatch(llvm::StringRef word,
                         llvm::ArrayRef<std::string> candidates);

/// Formats "; did you mean 'x'?" or "" for appending to a message.
std::string didYouMean(llvm::StringRef word,
                       llvm::ArrayRef<std::string> candidates);

} // namespace afc

#endif // AFC_SUPPORT_DIAGNOSTICS_H
