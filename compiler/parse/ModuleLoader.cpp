//===- ModuleLoader.cpp - files and imports to ASTs -----------------------===//
#include "afc/parse/ModuleLoader.h"
#include "afc/parse/Parser.h"
#include "afc/support/Limits.h"

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

/// Reads at most the file-size limit from an open file, so that a device,
/// a pipe or a /proc file that never ends cannot exhaust memory. An empty
/// string with `tooBig` set when there is more.
static llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>>
readBounded(llvm::sys::fs::file_t fd, const std::string &name, bool &tooBig) {
  uint64_t limit = limits().maxFileSize;
  llvm::SmallVector<char, 0> text;
  char chunk[1 << 14];
  tooBig = false;
  while (true) {
    llvm::Expected<size_t> n = llvm::sys::fs::readNativeFile(fd, chunk);
    if (!n)
      return llvm::errorToErrorCode(n.takeError());
    if (*n == 0)
      break;
    text.append(chunk, chunk + *n);
    if (text.size() > limit) {
      tooBig = true;
      return nullptr;
    }
  }
  return llvm::MemoryBuffer::getMemBufferCopy(
      llvm::StringRef(text.data(), text.size()), name);
}

/// Opens a source: only regular files are read (not directories, devices or
/// FIFOs), and at most the file-size limit of them. Reports its own errors,
/// at `where` when the file is imported.
std::unique_ptr<llvm::MemoryBuffer>
ModuleLoader::readSource(const std::string &path, llvm::SMRange where) {
  auto fail = [&](const llvm::Twine &msg) -> std::unique_ptr<llvm::MemoryBuffer> {
    if (where.Start.isValid())
      diags.error(where, msg);
    else
      diags.error(msg);
    return nullptr;
  };
  llvm::sys::fs::file_status st;
  if (std::error_code ec = llvm::sys::fs::status(path, st))
    return fail("cannot read '" + path + "': " + ec.message());
  if (st.type() == llvm::sys::fs::file_type::directory_file)
    return fail("'" + path + "' is a directory, not an .af file");
  if (st.type() != llvm::sys::fs::file_type::regular_file)
    return fail("'" + path + "' is not a regular file (a device, pipe or "
                             "socket); .af sources must be files");
  llvm::Expected<llvm::sys::fs::file_t> fd =
      llvm::sys::fs::openNativeFileForRead(path);
  if (!fd)
    return fail("cannot read '" + path +
                "': " + llvm::toString(fd.takeError()));
  bool tooBig;
  auto buf = readBounded(*fd, path, tooBig);
  llvm::sys::fs::closeFile(*fd);
  if (tooBig)
    return fail("'" + path + "' is larger than " +
                std::to_string(limits().maxFileSize) + " bytes (" +
                limitFlag("max-file-size", limits().maxFileSize) +
                "); raise the limit with --max-file-size=BYTES");
  if (!buf)
    return fail("cannot read '" + path + "': " + buf.getError().message());
  return std::move(*buf);
}

bool ModuleLoader::loadRoot(llvm::StringRef path) {
  // "-" is standard input, as for every LLVM tool. It is read once: a
  // second "-" would only see end of file.
  if (path == "-") {
    if (state.count("<stdin>"))
      return true;
    state["<stdin>"] = true;
    bool tooBig;
    auto buf = readBounded(llvm::sys::fs::getStdinHandle(), "<stdin>", tooBig);
    if (tooBig) {
      diags.error("standard input is larger than " +
                  std::to_string(limits().maxFileSize) + " bytes (" +
                  limitFlag("max-file-size", limits().maxFileSize) +
                  "); raise the limit with --max-file-size=BYTES");
      return false;
    }
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
  // Keep the name the user typed for messages; dedupe by canonical path.
  std::string canonical = canonicalPath(path);
  if (state.count(canonical))
    return true;
  auto buf = readSource(path.str(), llvm::SMRange());
  if (!buf)
    return false;
  state[canonical] = false;
  unsigned id = diags.sourceMgr().AddNewSourceBuffer(std::move(buf),
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
  auto buf = readSource(canonical, importRange);
  if (!buf)
    return false;
  state[canonical] = false;
  unsigned id =
      diags.sourceMgr().AddNewSourceBuffer(std::move(buf), importRange.Start);
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
