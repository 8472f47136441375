//===- ResultStore.cpp - finished design points in SQLite -----------------===//
//
// WAL journal with synchronous=NORMAL: a committed row survives the process
// being killed (the kill test's concern); surviving power loss is not asked
// of a cache of recomputable results, and it saves an fsync per point.
// Statements are prepared once and reused, so a point costs one short
// transaction.
//
//===----------------------------------------------------------------------===//
#include "afc/study/ResultStore.h"

#include <sqlite3.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <unistd.h>

using namespace afc::study;

namespace {

void appendString(std::string &out, const std::string &s) {
  out += '"';
  for (char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\r':
      out += "\\r";
      break;
    default:
      if ((unsigned char)c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", unsigned((unsigned char)c));
        out += buf;
      } else {
        out += c;
      }
    }
  }
  out += '"';
}

/// Reads what appendString wrote (and the other JSON escapes of ASCII).
class RowParser {
public:
  explicit RowParser(const std::string &text) : s(text) {}

  std::optional<Row> parse() {
    Row row;
    if (!eat('{'))
      return std::nullopt;
    if (eat('}'))
      return end() ? std::optional<Row>(row) : std::nullopt;
    do {
      std::string name;
      Cell value;
      if (!string(name) || !eat(':') || !cell(value))
        return std::nullopt;
      row.emplace_back(std::move(name), std::move(value));
    } while (eat(','));
    if (!eat('}') || !end())
      return std::nullopt;
    return row;
  }

private:
  void space() {
    while (p < s.size() && (s[p] == ' ' || s[p] == '\n'))
      ++p;
  }
  bool eat(char c) {
    space();
    if (p < s.size() && s[p] == c) {
      ++p;
      return true;
    }
    return false;
  }
  bool end() {
    space();
    return p == s.size();
  }
  bool string(std::string &out) {
    if (!eat('"'))
      return false;
    while (p < s.size() && s[p] != '"') {
      char c = s[p++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (p == s.size())
        return false;
      switch (char e = s[p++]) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'u': {
        if (p + 4 > s.size())
          return false;
        unsigned v = unsigned(std::strtoul(s.substr(p, 4).c_str(), nullptr, 16));
        if (v >= 0x80)
          return false; // only control characters are written this way
        out += char(v);
        p += 4;
        break;
      }
      default:
        out += e;
      }
    }
    return eat('"');
  }
  bool cell(Cell &out) {
    space();
    if (p >= s.size())
      return false;
    if (s[p] == '"') {
      std::string text;
      if (!string(text))
        return false;
      out = std::move(text);
      return true;
    }
    if (s.compare(p, 4, "null") == 0) {
      p += 4;
      out = std::monostate();
      return true;
    }
    if (s.compare(p, 3, "NaN") == 0) {
      p += 3;
      out = std::nan("");
      return true;
    }
    const char *begin = s.c_str() + p;
    char *stop = nullptr;
    double v = std::strtod(begin, &stop);
    if (stop == begin)
      return false;
    p += size_t(stop - begin);
    out = v;
    return true;
  }

  const std::string &s;
  size_t p = 0;
};

double now() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string hostName() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0)
    return "localhost";
  return buf;
}

/// Binds text that outlives the statement's execution.
void bindText(sqlite3_stmt *st, int i, const std::string &s) {
  sqlite3_bind_text(st, i, s.data(), int(s.size()), SQLITE_STATIC);
}

std::string columnText(sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  return t ? std::string(reinterpret_cast<const char *>(t),
                         size_t(sqlite3_column_bytes(st, i)))
           : std::string();
}

/// Resets a statement when the scope ends, whatever path leaves it.
struct Reset {
  sqlite3_stmt *st;
  ~Reset() {
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
};

} // namespace

std::string afc::study::encodeRow(const Row &row) {
  std::string out = "{";
  bool first = true;
  for (const auto &[name, cell] : row) {
    out += first ? "" : ", ";
    first = false;
    appendString(out, name);
    out += ": ";
    if (const double *d = std::get_if<double>(&cell)) {
      if (std::isnan(*d))
        out += "NaN";
      else if (std::isinf(*d))
        out += *d > 0 ? "1e999" : "-1e999";
      else
        out += formatCell(*d); // shortest text that reads back the same
    } else if (const std::string *t = std::get_if<std::string>(&cell)) {
      appendString(out, *t);
    } else {
      out += "null";
    }
  }
  return out + "}";
}

std::optional<Row> afc::study::decodeRow(const std::string &text) {
  return RowParser(text).parse();
}

std::string ResultStore::processOwner() {
  return hostName() + ":" + std::to_string(long(getpid()));
}

std::unique_ptr<ResultStore> ResultStore::open(const std::string &path,
                                               std::string &error) {
  std::unique_ptr<ResultStore> store(new ResultStore);
  store->path = path;
  store->owner = processOwner();
  // One connection serialised by our own mutex: SQLite's need not lock.
  int rc = sqlite3_open_v2(path.c_str(), &store->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                               SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    error = "cannot open the result store '" + path + "': " +
            (store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc));
    return nullptr;
  }
  // Other processes filling the same study hold the write lock only for
  // one short transaction; waiting for it is always right.
  sqlite3_busy_timeout(store->db, 60000);
  bool ok = store->exec("PRAGMA journal_mode=WAL") &&
            store->exec("PRAGMA synchronous=NORMAL") &&
            store->exec("CREATE TABLE IF NOT EXISTS point("
                        "study TEXT NOT NULL, inputs TEXT NOT NULL, "
                        "key TEXT NOT NULL, idx INTEGER NOT NULL, "
                        "state TEXT NOT NULL, owner TEXT, claimed_at REAL, "
                        "failure TEXT, result TEXT, "
                        "PRIMARY KEY (study, inputs, key)) WITHOUT ROWID");
  if (ok) {
    sqlite3_stmt *v = store->prepare("PRAGMA user_version");
    int version = v && sqlite3_step(v) == SQLITE_ROW ? sqlite3_column_int(v, 0)
                                                     : -1;
    sqlite3_finalize(v);
    if (version == 0)
      ok = store->exec("PRAGMA user_version=1");
    else if (version != 1) {
      store->lastError = "'" + path + "' was written by another version of "
                         "afc (schema " + std::to_string(version) + ")";
      ok = false;
    }
  }
  if (ok) {
    auto &s = *store;
    s.deleteOther = s.prepare("DELETE FROM point WHERE study=?1 AND inputs<>?2");
    s.deleteAll = s.prepare("DELETE FROM point WHERE study=?1");
    s.selectState = s.prepare("SELECT state, owner, claimed_at FROM point "
                              "WHERE study=?1 AND inputs=?2 AND key=?3");
    s.insertClaim = s.prepare(
        "INSERT OR REPLACE INTO point(study, inputs, key, idx, state, owner, "
        "claimed_at, failure, result) "
        "VALUES(?1, ?2, ?3, ?4, 'claimed', ?5, ?6, NULL, NULL)");
    s.insertDone = s.prepare(
        "INSERT OR REPLACE INTO point(study, inputs, key, idx, state, owner, "
        "claimed_at, failure, result) "
        "VALUES(?1, ?2, ?3, ?4, 'done', ?5, ?6, ?7, ?8)");
    s.selectDone = s.prepare("SELECT idx, failure, result FROM point WHERE "
                             "study=?1 AND inputs=?2 AND key=?3 AND "
                             "state='done'");
    s.deleteClaims =
        s.prepare("DELETE FROM point WHERE owner=?1 AND state='claimed'");
    ok = s.deleteOther && s.deleteAll && s.selectState && s.insertClaim &&
         s.insertDone && s.selectDone && s.deleteClaims;
  }
  if (!ok) {
    error = store->error();
    return nullptr;
  }
  return store;
}

ResultStore::~ResultStore() {
  {
    std::lock_guard<std::mutex> q(queueMutex);
    stopping = true;
  }
  wake.notify_one();
  if (writer.joinable())
    writer.join();
  for (sqlite3_stmt *st : {deleteOther, deleteAll, selectState, insertClaim,
                           insertDone, selectDone, deleteClaims})
    sqlite3_finalize(st);
  sqlite3_close(db);
}

std::string ResultStore::error() const {
  std::lock_guard<std::mutex> lock(mutex);
  return lastError;
}

bool ResultStore::fail(const char *what) {
  lastError = std::string("result store '") + path + "': " + what + ": " +
              sqlite3_errmsg(db);
  return false;
}

bool ResultStore::exec(const char *sql) {
  char *message = nullptr;
  // The busy timeout waits for another process's lock, but SQLite answers
  // "locked" at once where waiting could deadlock: two processes that open
  // a new store together both switch it to WAL and create its table. Each
  // statement here is its own transaction or a BEGIN / COMMIT, which SQLite
  // documents as safe to retry, so it is retried for as long as the busy
  // timeout would wait.
  auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int rc;
  while ((rc = sqlite3_exec(db, sql, nullptr, nullptr, &message)) ==
             SQLITE_BUSY &&
         std::chrono::steady_clock::now() < giveUp) {
    sqlite3_free(message);
    message = nullptr;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (rc == SQLITE_OK)
    return true;
  lastError = std::string("result store '") + path + "': " +
              (message ? message : "error");
  sqlite3_free(message);
  return false;
}

sqlite3_stmt *ResultStore::prepare(const char *sql) {
  sqlite3_stmt *st = nullptr;
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                         nullptr) != SQLITE_OK) {
    fail("cannot prepare a statement");
    return nullptr;
  }
  return st;
}

bool ResultStore::forget(const std::string &study, const std::string &inputs,
                         bool keepCurrent) {
  if (!flush())
    return false;
  std::lock_guard<std::mutex> lock(mutex);
  sqlite3_stmt *st = keepCurrent ? deleteOther : deleteAll;
  Reset reset{st};
  bindText(st, 1, study);
  if (keepCurrent)
    bindText(st, 2, inputs);
  return sqlite3_step(st) == SQLITE_DONE || fail("cannot remove old rows");
}

bool ResultStore::stale(const std::string &claimOwner,
                        double claimedAt) const {
  size_t colon = claimOwner.rfind(':');
  if (colon == std::string::npos)
    return true;
  std::string host = claimOwner.substr(0, colon);
  if (host != hostName())
    return now() - claimedAt > lease;
  long pid = std::strtol(claimOwner.c_str() + colon + 1, nullptr, 10);
  if (pid <= 0)
    return true;
  // No such process: its owner died (killed) without finishing the point.
  return kill(pid_t(pid), 0) != 0 && errno == ESRCH;
}

ResultStore::Claim ResultStore::claim(const std::string &study,
                                      const std::string &inputs,
                                      const std::string &key, size_t idx) {
  // This process's own finished points must read as done.
  if (!flush())
    return Claim::Error;
  std::lock_guard<std::mutex> lock(mutex);
  // IMMEDIATE takes the write lock before reading, so two processes cannot
  // both see the point free and both claim it.
  if (!exec("BEGIN IMMEDIATE"))
    return Claim::Error;
  Claim result = Claim::Mine;
  {
    Reset reset{selectState};
    bindText(selectState, 1, study);
    bindText(selectState, 2, inputs);
    bindText(selectState, 3, key);
    int rc = sqlite3_step(selectState);
    if (rc == SQLITE_ROW) {
      std::string state = columnText(selectState, 0);
      std::string by = columnText(selectState, 1);
      double at = sqlite3_column_double(selectState, 2);
      if (state == "done")
        result = Claim::Done;
      else if (by != owner && !stale(by, at))
        result = Claim::Taken;
    } else if (rc != SQLITE_DONE) {
      fail("cannot read a point");
      result = Claim::Error;
    }
  }
  if (result == Claim::Mine) {
    Reset reset{insertClaim};
    bindText(insertClaim, 1, study);
    bindText(insertClaim, 2, inputs);
    bindText(insertClaim, 3, key);
    sqlite3_bind_int64(insertClaim, 4, sqlite3_int64(idx));
    bindText(insertClaim, 5, owner);
    sqlite3_bind_double(insertClaim, 6, now());
    if (sqlite3_step(insertClaim) != SQLITE_DONE) {
      fail("cannot claim a point");
      result = Claim::Error;
    }
  }
  if (result == Claim::Error) {
    std::string kept = lastError;
    exec("ROLLBACK");
    lastError = kept;
    return result;
  }
  return exec("COMMIT") ? result : Claim::Error;
}

bool ResultStore::commit(const std::string &study, const std::string &inputs,
                         const std::string &key, size_t idx, const Row &row,
                         const std::string &failure) {
  std::vector<std::string> fields = {study,  inputs, key, std::to_string(idx),
                                     failure, encodeRow(row)};
  std::lock_guard<std::mutex> q(queueMutex);
  if (commitFailed)
    return false;
  if (!writer.joinable())
    writer = std::thread([this] { writerLoop(); });
  pending.push_back(std::move(fields));
  wake.notify_one();
  return true;
}

void ResultStore::writerLoop() {
  std::unique_lock<std::mutex> q(queueMutex);
  for (;;) {
    wake.wait(q, [&] { return stopping || !pending.empty(); });
    if (pending.empty())
      return; // stopping, and nothing left to write
    std::vector<std::vector<std::string>> batch;
    batch.swap(pending);
    writing = true;
    bool failedBefore = commitFailed;
    q.unlock();
    bool ok = false;
    if (!failedBefore) {
      std::lock_guard<std::mutex> lock(mutex);
      ok = writeBatch(batch);
    }
    q.lock();
    writing = false;
    commitFailed |= !ok;
    if (pending.empty())
      idle.notify_all();
  }
}

bool ResultStore::flush() {
  std::unique_lock<std::mutex> q(queueMutex);
  idle.wait(q, [&] { return pending.empty() && !writing; });
  return !commitFailed;
}

bool ResultStore::writeBatch(const std::vector<std::vector<std::string>> &batch) {
  if (!exec("BEGIN IMMEDIATE"))
    return false;
  double at = now();
  for (const std::vector<std::string> &f : batch) {
    Reset reset{insertDone};
    bindText(insertDone, 1, f[0]);
    bindText(insertDone, 2, f[1]);
    bindText(insertDone, 3, f[2]);
    sqlite3_bind_int64(insertDone, 4, std::atoll(f[3].c_str()));
    bindText(insertDone, 5, owner);
    sqlite3_bind_double(insertDone, 6, at);
    if (f[4].empty())
      sqlite3_bind_null(insertDone, 7);
    else
      bindText(insertDone, 7, f[4]);
    bindText(insertDone, 8, f[5]);
    if (sqlite3_step(insertDone) != SQLITE_DONE) {
      fail("cannot save a point");
      std::string kept = lastError;
      exec("ROLLBACK");
      lastError = kept;
      return false;
    }
  }
  return exec("COMMIT");
}

void ResultStore::beginReading() {
  std::lock_guard<std::mutex> lock(mutex);
  exec("BEGIN");
}

void ResultStore::endReading() {
  std::lock_guard<std::mutex> lock(mutex);
  exec("COMMIT");
}

std::optional<ResultStore::Stored>
ResultStore::find(const std::string &study, const std::string &inputs,
                  const std::string &key, bool &failed) {
  if (!flush()) { // a point committed but not yet written would be missed
    failed = true;
    return std::nullopt;
  }
  std::lock_guard<std::mutex> lock(mutex);
  Reset reset{selectDone};
  bindText(selectDone, 1, study);
  bindText(selectDone, 2, inputs);
  bindText(selectDone, 3, key);
  int rc = sqlite3_step(selectDone);
  if (rc == SQLITE_DONE)
    return std::nullopt;
  if (rc != SQLITE_ROW) {
    failed = !fail("cannot read a point");
    return std::nullopt;
  }
  Stored s;
  s.idx = size_t(sqlite3_column_int64(selectDone, 0));
  s.failure = columnText(selectDone, 1);
  std::optional<Row> row = decodeRow(columnText(selectDone, 2));
  if (!row) {
    lastError = "result store '" + path + "': the row of point '" + key +
                "' of study '" + study + "' is unreadable";
    failed = true;
    return std::nullopt;
  }
  s.row = std::move(*row);
  return s;
}

void ResultStore::releaseClaims() {
  flush();
  std::lock_guard<std::mutex> lock(mutex);
  Reset reset{deleteClaims};
  bindText(deleteClaims, 1, owner);
  sqlite3_step(deleteClaims);
}
