//===- PartialFile.cpp - write next to the target, then rename ------------===//
//
// The temporary name carries the process id so that two runs writing to the
// same folder do not share a partial file, and so that the partial file of
// a run that was killed can be told from one still being written.
//
//===----------------------------------------------------------------------===//
#include "PartialFile.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace afc::study;

/// Removes the partial files of `path` that killed processes left behind
/// (their process no longer exists).
static void removeStalePartials(const fs::path &p) {
  std::string prefix = "." + p.stem().string() + ".";
  std::string suffix = ".partial" + p.extension().string();
  fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() + suffix.size() ||
        name.compare(0, prefix.size(), prefix) != 0 ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    std::string pid = name.substr(prefix.size(),
                                  name.size() - prefix.size() - suffix.size());
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos)
      continue;
    if (::kill(pid_t(std::atol(pid.c_str())), 0) != 0 && errno == ESRCH) {
      std::error_code ignored;
      fs::remove(it->path(), ignored);
    }
  }
}

std::string detail::partialPath(const std::string &path) {
  fs::path p(path);
  removeStalePartials(p);
  std::string name = ".";
  name.append(p.stem().string())
      .append(".")
      .append(std::to_string(::getpid()))
      .append(".partial")
      .append(p.extension().string());
  return (p.parent_path() / name).string();
}

std::optional<std::string> detail::commitPartial(const std::string &partial,
                                                 const std::string &path) {
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (!ec)
    return std::nullopt;
  discardPartial(partial);
  return "cannot write '" + path + "': " + ec.message();
}

void detail::discardPartial(const std::string &partial) {
  std::error_code ec;
  fs::remove(partial, ec);
}
