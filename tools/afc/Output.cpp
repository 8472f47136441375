//===- Output.cpp - shared helpers of the afc subcommands -----------------===//
#include "Output.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <algorithm>

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

int driver::withOutput(const CommonOptions &options, DiagnosticEngine &diags,
                       const std::function<void(llvm::raw_ostream &)> &write) {
  if (options.outputFile.empty() || options.outputFile == "-") {
    write(llvm::outs());
    llvm::outs().flush();
    return 0;
  }
  std::error_code ec;
  llvm::ToolOutputFile out(options.outputFile, ec, llvm::sys::fs::OF_Text);
  if (ec) {
    diags.error("cannot write '" + options.outputFile + "': " + ec.message());
    return 1;
  }
  write(out.os());
  out.keep();
  return 0;
}

const components::ModelLibrary *
driver::loadModelLibrary(const CommonOptions &options,
                         DiagnosticEngine &diags) {
  static std::optional<components::ModelLibrary> library;
  if (library)
    return &*library;
  llvm::SmallString<256> path(options.stdlibDir);
  llvm::sys::path::append(path, "data", "sram_cacti7.csv");
  auto lib = components::ModelLibrary::load(std::string(path.str()));
  if (!lib) {
    diags.error("cannot load the component models' data: " +
                lib.error().message);
    return nullptr;
  }
  library.emplace(std::move(*lib));
  return &*library;
}

std::optional<model::Problem>
driver::lowerProblem(const ir::Arch &arch, const ir::Workload &workload,
                     const CommonOptions &options, DiagnosticEngine &diags) {
  const components::ModelLibrary *models = loadModelLibrary(options, diags);
  if (!models)
    return std::nullopt;
  return lower::lowerProblem(arch, workload, *models, diags, nullptr,
                             kernelOptions(options));
}
