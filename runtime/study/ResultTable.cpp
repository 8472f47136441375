//===- ResultTable.cpp - one row per design point -------------------------===//
#include "afc/study/ResultTable.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace afc::study;

std::string afc::study::formatCell(double v) {
  if (std::isnan(v))
    return "nan";
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  char buf[40];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v)
      break;
  }
  return buf;
}

size_t ResultTable::column(const std::string &name) {
  auto it = index.find(name);
  if (it != index.end())
    return it->second;
  index[name] = names.size();
  names.push_back(name);
  return names.size() - 1;
}

void ResultTable::set(size_t row, const std::string &name, Cell value) {
  size_t c = column(name);
  if (row >= cells.size())
    cells.resize(row + 1);
  if (cells[row].size() <= c)
    cells[row].resize(c + 1);
  if (row >= setOrder.size())
    setOrder.resize(row + 1);
  // A column set again after being emptied appears twice; ordering skips
  // columns already placed, so that does no harm.
  if (std::holds_alternative<std::monostate>(cells[row][c]))
    setOrder[row].push_back(uint32_t(c));
  cells[row][c] = std::move(value);
}

void ResultTable::orderColumnsByUse(size_t fixed) {
  fixed = std::min(fixed, names.size());
  // The columns after the fixed ones, built up row by row: a column a row
  // sets first goes right after the one that row set before it.
  std::vector<size_t> tail;
  std::vector<size_t> position(names.size(), SIZE_MAX); // in tail
  for (const std::vector<uint32_t> &row : setOrder) {
    size_t after = SIZE_MAX; // insert at tail.begin() + after + 1
    for (size_t c : row) {
      if (c < fixed)
        continue;
      if (position[c] != SIZE_MAX) {
        after = position[c];
        continue;
      }
      size_t at = after == SIZE_MAX ? 0 : after + 1;
      tail.insert(tail.begin() + at, c);
      for (size_t k = at; k < tail.size(); ++k)
        position[tail[k]] = k;
      after = at;
    }
  }
  for (size_t c = fixed; c < names.size(); ++c) // added but never set
    if (position[c] == SIZE_MAX)
      tail.push_back(c);
  std::vector<size_t> order(fixed);
  for (size_t c = 0; c < fixed; ++c)
    order[c] = c;
  order.insert(order.end(), tail.begin(), tail.end());

  std::vector<size_t> renumber(names.size());
  std::vector<std::string> newNames;
  for (size_t k = 0; k < order.size(); ++k) {
    renumber[order[k]] = k;
    index[names[order[k]]] = k;
    newNames.push_back(names[order[k]]);
  }
  for (std::vector<Cell> &row : cells) {
    std::vector<Cell> moved(names.size());
    for (size_t k = 0; k < order.size(); ++k)
      if (order[k] < row.size())
        moved[k] = std::move(row[order[k]]);
    row = std::move(moved);
  }
  for (std::vector<uint32_t> &row : setOrder)
    for (uint32_t &c : row)
      c = uint32_t(renumber[c]);
  names = std::move(newNames);
}

const Cell &ResultTable::get(size_t row, size_t c) const {
  static const Cell empty;
  if (row >= cells.size() || c >= cells[row].size())
    return empty;
  return cells[row][c];
}

std::optional<double> ResultTable::number(size_t row,
                                          const std::string &name) const {
  auto it = index.find(name);
  if (it == index.end())
    return std::nullopt;
  const Cell &c = get(row, it->second);
  if (auto *d = std::get_if<double>(&c))
    return *d;
  return std::nullopt;
}

static std::string csvEscape(const std::string &s) {
  if (s.find_first_of(",\"\n") == std::string::npos)
    return s;
  std::string out = "\"";
  for (char c : s)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

static std::string cellText(const Cell &c) {
  if (auto *d = std::get_if<double>(&c))
    return formatCell(*d);
  if (auto *s = std::get_if<std::string>(&c))
    return *s;
  return "";
}

static void jsonString(std::ostream &os, const std::string &s) {
  os << '"';
  for (char c : s) {
    if (c == '"' || c == '\\')
      os << '\\' << c;
    else if (c == '\n')
      os << "\\n";
    else if ((unsigned char)c < 0x20)
      os << ' ';
    else
      os << c;
  }
  os << '"';
}

RowWriter::RowWriter(std::ostream &os, TableFormat format,
                     std::vector<std::string> columns, const std::string &study)
    : os(os), format(format), names(std::move(columns)) {
  switch (format) {
  case TableFormat::CSV:
    for (size_t i = 0; i < names.size(); ++i)
      os << (i ? "," : "") << csvEscape(names[i]);
    os << "\n";
    break;
  case TableFormat::JSON:
    os << "{\n  \"study\": ";
    jsonString(os, study);
    os << ",\n  \"columns\": [";
    for (size_t i = 0; i < names.size(); ++i) {
      os << (i ? ", " : "");
      jsonString(os, names[i]);
    }
    os << "],\n  \"rows\": [";
    break;
  case TableFormat::Markdown:
    os << "|";
    for (const std::string &n : names)
      os << " " << n << " |";
    os << "\n|";
    for (size_t i = 0; i < names.size(); ++i)
      os << "---|";
    os << "\n";
    break;
  }
}

void RowWriter::write(const std::vector<Cell> &cells) {
  static const Cell empty;
  auto cell = [&](size_t c) -> const Cell & {
    return c < cells.size() ? cells[c] : empty;
  };
  switch (format) {
  case TableFormat::CSV:
    for (size_t c = 0; c < names.size(); ++c)
      os << (c ? "," : "") << csvEscape(cellText(cell(c)));
    os << "\n";
    break;
  case TableFormat::JSON: {
    os << (rows ? "," : "") << "\n    {";
    bool first = true;
    for (size_t c = 0; c < names.size(); ++c) {
      const Cell &v = cell(c);
      if (std::holds_alternative<std::monostate>(v))
        continue;
      os << (first ? "" : ", ");
      first = false;
      jsonString(os, names[c]);
      os << ": ";
      if (auto *d = std::get_if<double>(&v)) {
        if (std::isinf(*d))
          os << (*d > 0 ? "Infinity" : "-Infinity");
        else if (std::isnan(*d))
          os << "NaN";
        else
          os << formatCell(*d);
      } else {
        jsonString(os, std::get<std::string>(v));
      }
    }
    os << "}";
    break;
  }
  case TableFormat::Markdown:
    os << "|";
    for (size_t c = 0; c < names.size(); ++c) {
      std::string t = cellText(cell(c));
      for (char &ch : t)
        if (ch == '|' || ch == '\n')
          ch = ' ';
      os << " " << t << " |";
    }
    os << "\n";
    break;
  }
  ++rows;
}

void RowWriter::finish() {
  if (format == TableFormat::JSON)
    os << "\n  ]\n}\n";
}

static void writeTable(const std::vector<std::string> &names,
                       const std::vector<std::vector<Cell>> &cells,
                       std::ostream &os, TableFormat format,
                       const std::string &study) {
  RowWriter w(os, format, names, study);
  for (const std::vector<Cell> &row : cells)
    w.write(row);
  w.finish();
}

void ResultTable::writeCSV(std::ostream &os) const {
  writeTable(names, cells, os, TableFormat::CSV, "");
}

void ResultTable::writeJSON(std::ostream &os, const std::string &study) const {
  writeTable(names, cells, os, TableFormat::JSON, study);
}

void ResultTable::writeMarkdown(std::ostream &os) const {
  writeTable(names, cells, os, TableFormat::Markdown, "");
}
