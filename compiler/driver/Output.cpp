//===- Output.cpp - shared helpers of the afc subcommands -----------------===//
//
// -o files are written to a temporary file beside the target
// (llvm::sys::fs::TempFile) and renamed over it once the whole result is
// written, so a failed, interrupted or killed command leaves no truncated
// result behind.
//
//===----------------------------------------------------------------------===//
#include "Output.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

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

bool driver::overwritesSource(Context &ctx, const std::string &path) {
  // equivalent() compares device and inode, so another spelling of the
  // same file (./x.af, a symlink) is caught too; a path that does not
  // exist yet cannot be a source.
  for (const std::string &source : ctx.sourceFiles) {
    bool same = false;
    if (!llvm::sys::fs::equivalent(path, source, same) && same) {
      ctx.diags.error("refusing to write '" + path +
                      "': it is an input file ('" + source + "')");
      ctx.diags.note("choose another output file");
      return true;
    }
  }
  return false;
}

int driver::withOutput(Context &ctx, const std::string &file,
                       const std::function<void(llvm::raw_ostream &)> &write) {
  if (file.empty() || file == "-") {
    write(ctx.out);
    ctx.out.flush();
    return 0;
  }
  if (overwritesSource(ctx, file))
    return 1;
  // Written under a temporary name in the same folder and renamed over
  // the target when complete: even a killed afc leaves the old file or the
  // new one, never a truncated one.
  llvm::Expected<llvm::sys::fs::TempFile> temp =
      llvm::sys::fs::TempFile::create(file + ".partial-%%%%%%");
  if (!temp) {
    ctx.diags.error("cannot write '" + file +
                    "': " + llvm::toString(temp.takeError()));
    return 1;
  }
  std::string error;
  {
    llvm::raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    write(os);
    os.flush();
    if (os.has_error()) {
      error = os.error().message();
      os.clear_error();
    }
  }
  if (error.empty())
    if (llvm::Error e = temp->keep(file))
      error = llvm::toString(std::move(e));
  if (!error.empty()) {
    llvm::consumeError(temp->discard());
    ctx.diags.error("cannot write '" + file + "': " + error);
    return 1;
  }
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
