//===- Output.cpp - shared helpers of the afc subcommands -----------------===//
//
// -o files go through llvm::ToolOutputFile, which removes the file unless it
// is kept: it is kept only once the whole result is written, so a failed or
// interrupted command leaves no truncated result behind.
//
//===----------------------------------------------------------------------===//
#include "Output.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <algorithm>
#include <map>
#include <mutex>

using namespace afc;
using namespace afc::driver;

void Table::print(llvm::raw_ostream &os) const {
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i)
    width[i] = header[i].size();
  for (const auto &r : rows)
    for (size_t i = 0; i < r.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  auto line = [&](const std::vector<std::string> &cells) {
    std::string s;
    for (size_t i = 0; i < width.size(); ++i) {
      std::string c = i < cells.size() ? cells[i] : "";
      s += c;
      if (i + 1 < width.size())
        s += std::string(width[i] - c.size() + 2, ' ');
    }
    while (!s.empty() && s.back() == ' ')
      s.pop_back();
    os << s << "\n";
  };
  line(header);
  std::vector<std::string> rule;
  for (size_t w : width)
    rule.push_back(std::string(w, '-'));
  line(rule);
  for (const auto &r : rows)
    line(r);
}

std::string driver::tableNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

int driver::withOutput(Context &ctx, const std::string &file,
                       const std::function<void(llvm::raw_ostream &)> &write) {
  if (file.empty() || file == "-") {
    write(ctx.out);
    ctx.out.flush();
    return 0;
  }
  std::error_code ec;
  llvm::ToolOutputFile out(file, ec, llvm::sys::fs::OF_Text);
  if (ec) {
    ctx.diags.error("cannot write '" + file + "': " + ec.message());
    return 1;
  }
  write(out.os());
  out.os().flush();
  if (out.os().has_error()) {
    ctx.diags.error("cannot write '" + file +
                    "': " + out.os().error().message());
    out.os().clear_error();
    return 1;
  }
  out.keep();
  return 0;
}

const components::ModelLibrary *driver::loadModelLibrary(Context &ctx) {
  // One library per data file for the whole process: loading parses the
  // CACTI table, and tests run many invocations in one process.
  static std::mutex mutex;
  static std::map<std::string, components::ModelLibrary> libraries;
  llvm::SmallString<256> path(ctx.stdlibDir);
  llvm::sys::path::append(path, "data", "sram_cacti7.csv");
  std::lock_guard<std::mutex> lock(mutex);
  auto it = libraries.find(std::string(path.str()));
  if (it != libraries.end())
    return &it->second;
  auto lib = components::ModelLibrary::load(std::string(path.str()));
  if (!lib) {
    ctx.diags.error("cannot load the component models' data: " +
                    lib.error().message);
    return nullptr;
  }
  return &libraries.emplace(std::string(path.str()), std::move(*lib))
              .first->second;
}

std::optional<model::Problem> driver::lowerProblem(const ir::Arch &arch,
                                                   const ir::Workload &workload,
                                                   Context &ctx) {
  const components::ModelLibrary *models = loadModelLibrary(ctx);
  if (!models)
    return std::nullopt;
  return lower::lowerProblem(arch, workload, *models, ctx.diags, ctx.overrides,
                             kernelOptions(ctx.options));
}
