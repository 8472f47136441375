//===- Error.h - errors of the component models library ---------*- C++ -*-===//
//
// The component models library never throws across its API and never prints:
// every fallible call returns an Expected<T>, which holds either the value or
// an Error with a code (for programs) and a complete, human-readable message
// (for users). GCC 12 has no std::expected, hence this small stand-in.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_COMPONENTS_ERROR_H
#define AFC_COMPONENTS_ERROR_H

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace afc::components {

/// What went wrong, coarse enough for a caller to branch on.
enum class ErrorCode {
  UnknownClass,          ///< no model answers to the component_class
  UnsupportedClass,      ///< a hwcomponents class that afc does not model
  MissingComponentClass, ///< a figure needs a model but no class is given
  MissingAttribute,      ///< a required model attribute is absent
  InvalidAttribute,      ///< an attribute has an unusable value
  TechNodeOutOfRange,    ///< tech_node is not a plausible size in metres
  UnsupportedAction,     ///< the model has no such action
  NoCactiTable,          ///< an SRAM needs CACTI data, none was loaded
  MissingCactiRow,       ///< the CACTI query is not in the table
  Io,                    ///< a file could not be read
  Parse,                 ///< a data file is malformed
};

/// An error: a code and a message that names the offending item.
struct Error {
  ErrorCode code;
  std::string message;
};

/// Either a T or an Error. Converts implicitly from both, so a function can
/// `return value;` or `return Error{...};`.
template <typename T> class [[nodiscard]] Expected {
public:
  Expected(T value) : Storage(std::in_place_index<0>, std::move(value)) {}
  Expected(Error error) : Storage(std::in_place_index<1>, std::move(error)) {}

  bool hasValue() const { return Storage.index() == 0; }
  explicit operator bool() const { return hasValue(); }

  T &value() & {
    assert(hasValue() && "value() on an error");
    return std::get<0>(Storage);
  }
  const T &value() const & {
    assert(hasValue() && "value() on an error");
    return std::get<0>(Storage);
  }
  T &&value() && {
    assert(hasValue() && "value() on an error");
    return std::get<0>(std::move(Storage));
  }
  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }
  T &&operator*() && { return std::move(*this).value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

  const Error &error() const {
    assert(!hasValue() && "error() on a value");
    return std::get<1>(Storage);
  }
  /// Moves the error out, e.g. to forward it with another value type.
  Error takeError() {
    assert(!hasValue() && "takeError() on a value");
    return std::get<1>(std::move(Storage));
  }

private:
  std::variant<T, Error> Storage;
};

} // namespace afc::components

#endif // AFC_COMPONENTS_ERROR_H
