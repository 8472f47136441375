//===- PartialFile.cpp - write next to the target, then rename ------------===//
//
// The temporary name carries the process id so that two runs writing to the
// same folder do not share a partial file.
//
//===----------------------------------------------------------------------===//
#include "PartialFile.h"

#include <filesystem>
#include <system_error>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace afc::study;

std::string detail::partialPath(const std::string &path) {
  fs::path p(path);
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
