//===- PartialFile.h - write next to the target, then rename ----*- C++ -*-===//
//
// Reports and plots are written under a temporary name in the target's
// folder and renamed over the target once complete. A rename within one
// folder is atomic, so a reader (or an interrupted run) sees the old file or
// the new one, never half of one.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_RUNTIME_STUDY_PARTIALFILE_H
#define AFC_RUNTIME_STUDY_PARTIALFILE_H

#include <optional>
#include <string>

namespace afc::study::detail {

/// A temporary name beside `path` with the same extension (cairo picks the
/// format by it): `dir/.name.<pid>.partial.svg`. Partial files of `path`
/// left by processes that no longer exist (killed) are removed first.
std::string partialPath(const std::string &path);

/// Renames the finished `partial` over `path`; removes it and returns an
/// error message on failure.
std::optional<std::string> commitPartial(const std::string &partial,
                                         const std::string &path);

/// Removes a partial file after a failed write.
void discardPartial(const std::string &partial);

} // namespace afc::study::detail

#endif // AFC_RUNTIME_STUDY_PARTIALFILE_H
