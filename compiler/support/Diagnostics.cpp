//===- Diagnostics.cpp - located error reporting --------------------------===//
#include "afc/support/Diagnostics.h"

#include "llvm/ADT/StringExtras.h"

#include <tuple>

using namespace afc;

void DiagnosticEngine::print(llvm::SMRange range,
                             llvm::SourceMgr::DiagKind kind,
                             const llvm::Twine &msg) {
  if (suppressed)
    return;
  if (!range.Start.isValid()) {
    const char *prefix = kind == llvm::SourceMgr::DK_Error     ? "error"
                         : kind == llvm::SourceMgr::DK_Warning ? "warning"
                                                               : "note";
    os << "afc: " << prefix << ": " << msg << "\n";
    return;
  }
  llvm::SmallVector<llvm::SMRange, 1> ranges;
  // A range covering more than one character gets underlined with '~'.
  if (range.End.isValid() && range.End.getPointer() > range.Start.getPointer() + 1)
    ranges.push_back(range);
  sm.PrintMessage(os, range.Start, kind, msg, ranges);
}

void DiagnosticEngine::recordError(llvm::SMLoc loc, const llvm::Twine &msg) {
  if (first)
    return;
  first.emplace();
  first->message = msg.str();
  if (!loc.isValid())
    return;
  unsigned id = sm.FindBufferContainingLoc(loc);
  if (!id)
    return;
  std::tie(first->line, first->column) = sm.getLineAndColumn(loc, id);
  first->file = sm.getMemoryBuffer(id)->getBufferIdentifier().str();
}

void DiagnosticEngine::error(llvm::SMRange range, const llvm::Twine &msg) {
  if (suppressed)
    return;
  ++numErrors;
  recordError(range.Start, msg);
  print(range, llvm::SourceMgr::DK_Error, msg);
  if (numErrors >= errorLimit) {
    os << "afc: error: too many errors emitted, stopping now\n";
    suppressed = true;
  }
}

void DiagnosticEngine::errorWithoutSource(llvm::SMLoc loc,
                                          const llvm::Twine &msg) {
  unsigned id = sm.FindBufferContainingLoc(loc);
  auto [line, col] = sm.getLineAndColumn(loc, id);
  ++numErrors;
  recordError(loc, msg);
  os << sm.getMemoryBuffer(id)->getBufferIdentifier() << ":" << line << ":"
     << col << ": error: " << msg << "\n";
}

void DiagnosticEngine::warning(llvm::SMRange range, const llvm::Twine &msg) {
  print(range, llvm::SourceMgr::DK_Warning, msg);
}

void DiagnosticEngine::note(llvm::SMRange range, const llvm::Twine &msg) {
  print(range, llvm::SourceMgr::DK_Note, msg);
}

void DiagnosticEngine::error(const llvm::Twine &msg) {
  error(llvm::SMRange(), msg);
}

void DiagnosticEngine::note(const llvm::Twine &msg) {
  note(llvm::SMRange(), msg);
}

std::string afc::closestMatch(llvm::StringRef word,
                              llvm::ArrayRef<std::string> candidates) {
  std::string best;
  unsigned bestDistance = ~0u;
  // Allow two edits, or one per three characters: enough for typos and
  // swapped letters, not so much that unrelated names are suggested.
  unsigned maxDistance = std::max<unsigned>(2, word.size() / 3);
  for (const std::string &c : candidates) {
    if (c == word)
      continue;
    unsigned d = llvm::StringRef(c).lower() == word.lower()
                     ? 0
                     : llvm::StringRef(c).edit_distance(word, true, maxDistance);
    if (d <= maxDistance && d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

std::string afc::didYouMean(llvm::StringRef word,
                            llvm::ArrayRef<std::string> candidates) {
  std::string best = closestMatch(word, candidates);
  return best.empty() ? std::string() : "; did you mean '" + best + "'?";
}
