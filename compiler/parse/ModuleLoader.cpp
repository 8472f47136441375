//===- ModuleLoader.cpp - files and imports to ASTs -----------------------===//
#include "afc/parse/ModuleLoader.h"
#include "afc/parse/Parser.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace afc;

static std::string canonicalPath(llvm::StringRef p) {
  llvm::SmallString<256> real;
  if (llvm::sys::fs::real_path(p, real))
    return p.str();
  return std::string(real.str());
}

bool ModuleLoader::loadRoot(llvm::StringRef path) {
  // "-" is standard input, as for every LLVM tool. It is read once: a
  // second "-" would only see end of file.
  if (path == "-") {
    if (state.count("<stdin>"))
      return true;
    state["<stdin>"] = true;
    auto buf = llvm::MemoryBuffer::getSTDIN();
    if (!buf) {
      diags.error("cannot read standard input: " + buf.getError().message());
      return false;
    }
    return loadBuffer(std::move(*buf));
  }
  if (!llvm::sys::fs::exists(path)) {
    diags.error("cannot open '" + path + "': no such file");
    return false;
  }
  if (llvm::sys::fs::is_directory(path)) {
    diags.error("'" + path + "' is a directory, not an .af file");
    return false;
  }
  // Keep the name the user typed for messages; dedupe by canonical path.
  std::string canonical = canonicalPath(path);
  if (state.count(canonical))
    return true;
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buf) {
    diags.error("cannot read '" + path + "': " + buf.getError().message());
    return false;
  }
  state[canonical] = false;
  unsigned id = diags.sourceMgr().AddNewSourceBuffer(std::move(*buf),
                                                     llvm::SMLoc());
  auto module = parseModule(id, diags);
  if (!module) {
    state[canonical] = true;
    return false;
  }
  stack.push_back({canonical, llvm::SMRange()});
  bool ok = processImports(*module, canonical);
  stack.pop_back();
  state[canonical] = true;
  ordered.push_back(std::move(module));
  return ok;
}

bool ModuleLoader::loadBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer) {
  std::string name = buffer->getBufferIdentifier().str();
  unsigned id = diags.sourceMgr().AddNewSourceBuffer(std::move(buffer),
                                                     llvm::SMLoc());
  auto module = parseModule(id, diags);
  if (!module)
    return false;
  bool ok = processImports(*module, name);
  ordered.push_back(std::move(module));
  return ok;
}

std::string ModuleLoader::resolve(llvm::StringRef spec,
                                  llvm::StringRef fromDir) {
  if (llvm::sys::path::is_absolute(spec))
    return llvm::sys::fs::exists(spec) ? spec.str() : "";
  std::vector<std::string> dirs;
  dirs.push_back(fromDir.str());
  dirs.insert(dirs.end(), searchPaths.begin(), searchPaths.end());
  for (const std::string &d : dirs) {
    llvm::SmallString<256> p(d);
    llvm::sys::path::append(p, spec);
    if (llvm::sys::fs::exists(p) && !llvm::sys::fs::is_directory(p))
      return std::string(p.str());
  }
  return "";
}

bool ModuleLoader::processImports(ast::Module &m,
                                  const std::string &canonical) {
  bool ok = true;
  llvm::StringRef dir = llvm::sys::path::parent_path(m.filename);
  for (const ast::Import &imp : m.imports) {
    std::string found = resolve(imp.path, dir);
    if (found.empty()) {
      diags.error(imp.range, "cannot find imported file '" + imp.path + "'");
      std::string where = "looked next to this file";
      for (const std::string &d : searchPaths)
        where += ", in '" + d + "'";
      diags.note(imp.range, where);
      ok = false;
      continue;
    }
    if (!load(canonicalPath(found), imp.range))
      ok = false;
  }
  (void)canonical;
  return ok;
}

bool ModuleLoader::load(const std::string &canonical,
                        llvm::SMRange importRange) {
  auto it = state.find(canonical);
  if (it != state.end()) {
    if (it->second)
      return true;
    diags.error(importRange, "import cycle: '" + canonical +
                                 "' imports itself through the chain below");
    for (auto &[file, range] : stack)
      if (range.Start.isValid())
        diags.note(range, "imported from here");
    return false;
  }
  auto buf = llvm::MemoryBuffer::getFile(canonical, /*IsText=*/true);
  if (!buf) {
    diags.error(importRange, "cannot read '" + canonical +
                                 "': " + buf.getError().message());
    return false;
  }
  state[canonical] = false;
  unsigned id =
      diags.sourceMgr().AddNewSourceBuffer(std::move(*buf), importRange.Start);
  auto module = parseModule(id, diags);
  if (!module) {
    state[canonical] = true;
    return false;
  }
  stack.push_back({canonical, importRange});
  bool ok = processImports(*module, canonical);
  stack.pop_back();
  state[canonical] = true;
  ordered.push_back(std::move(module));
  return ok;
}
