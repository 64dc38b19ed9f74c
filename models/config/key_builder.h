#pragma once
// Declarative construction of key-table entries. One key is one expression:
//
//   LRT_CONFIG_KEY(accel.rram.endurance_writes)
//       .unit("writes").defaults_to("1e6").at_least(1)
//       .source("Grossi et al., IEEE TED 2019").doc("writes a cell survives")
//
// LRT_CONFIG_KEY turns the member path into both the key string and the accessor, so a
// key path can never disagree with the Specs member it fills; LRT_CONFIG_KEY_AT names a key
// whose member (in a module's own specs) is spelled differently, e.g. accel.rram.endurance_writes
// at accel.rram.endurance.writes. The entry records the member path, so the config layer can
// put a module's SpecError (which names the member) at its key. The builder knows the
// member's C++ type and derives the parser, the range check, the canonical formatter
// and the words used in error messages and in docs/configuration.md from it.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "config/scalar.h"
#include "config/schema.h"
#include "core/error.h"

namespace lrt::config {

/// @brief Builds one KeySpec for a Specs member of type T (bool, int, uint32_t, uint64_t,
/// double, std::string or an enum; std::vector of one of these is a list key, below).
template <class T>
class KeyBuilder {
  static_assert(std::is_same_v<T, bool> || std::is_same_v<T, int> || std::is_same_v<T, uint32_t> ||
                    std::is_same_v<T, uint64_t> || std::is_same_v<T, double> ||
                    std::is_same_v<T, std::string> || std::is_enum_v<T>,
                "configuration keys are bool, int, uint32_t, uint64_t, double, std::string or an enum");
  static constexpr bool kInteger =
      std::is_same_v<T, int> || std::is_same_v<T, uint32_t> || std::is_same_v<T, uint64_t>;
  static constexpr bool kNumber = kInteger || std::is_same_v<T, double>;

 public:
  /// Returns the member; a std::function because generated keys capture which member they
  /// select (schema.cpp's train.conv.* and train.fc.* share one definition).
  using Field = std::function<T&(Specs&)>;

  /// `member` is the C++ path of the member `field` returns, e.g. "accel.rram.endurance.writes".
  KeyBuilder(std::string path, std::string member, Field field)
      : path_(std::move(path)), member_(std::move(member)), field_(std::move(field)) {}

  KeyBuilder& unit(std::string u) {
    unit_ = std::move(u);
    return *this;
  }
  /// Default as plain (unquoted) YAML scalar text; validated like user input when the table is built.
  KeyBuilder& defaults_to(std::string yaml) {
    default_ = std::move(yaml);
    return *this;
  }
  KeyBuilder& required() {
    required_ = true;
    return *this;
  }
  KeyBuilder& at_least(T lo) {
    lo_ = lo;
    lo_open_ = false;
    return *this;
  }
  KeyBuilder& above(T lo) {
    lo_ = lo;
    lo_open_ = true;
    return *this;
  }
  KeyBuilder& at_most(T hi) {
    hi_ = hi;
    hi_open_ = false;
    return *this;
  }
  KeyBuilder& below(T hi) {
    hi_ = hi;
    hi_open_ = true;
    return *this;
  }
  KeyBuilder& power_of_two() {
    pow2_ = true;
    return *this;
  }
  /// Integer keys: the value must be a multiple of `m` (> 0).
  KeyBuilder& multiple_of(T m) {
    static_assert(kInteger, "multiple_of() is for integer keys");
    if (!(m > 0))
      throw std::logic_error("config key table: " + path_ + ": multiple_of needs a positive step");
    multiple_ = m;
    return *this;
  }
  /// A file-system path: must not be empty.
  KeyBuilder& is_path() {
    is_path_ = true;
    return *this;
  }
  KeyBuilder& one_of(std::vector<std::pair<std::string, T>> choices) {
    choices_ = std::move(choices);
    return *this;
  }
  KeyBuilder& source(std::string s) {
    source_ = std::move(s);
    return *this;
  }
  KeyBuilder& doc(std::string d) {
    doc_ = std::move(d);
    return *this;
  }
  /// The key cannot change simulated results (e.g. progress display): left out of config_hash.
  KeyBuilder& not_hashed() {
    hashed_ = false;
    return *this;
  }

  operator KeySpec() const {  // NOLINT(google-explicit-constructor): table entries convert implicitly
    KeySpec k;
    k.path = path_;
    k.member_path = member_;
    k.type = type_name();
    k.unit = unit_;
    k.required = required_;
    k.allowed = allowed_text();
    k.expected = expected_text();
    k.source = source_;
    k.description = doc_;
    k.hashed = hashed_;
    if (!required_) {
      try {
        k.default_text = format_value(parse(Scalar{default_}, InputLocation{"key table", -1, -1, path_}));
      } catch (const InputError& e) {
        throw std::logic_error(std::string("config key table: bad default: ") + e.what());
      }
    }
    const KeyBuilder self = *this;
    k.assign = [self](const Scalar& value, const InputLocation& where, Specs& specs) {
      self.field_(specs) = self.parse(value, where);
    };
    k.format = [self](const Specs& specs) { return self.format_value(self.get(specs)); };
    k.same = [self](const Specs& a, const Specs& b) { return same_bits(self.get(a), self.get(b)); };
    k.member = [self](const Specs& specs) -> const void* { return &self.get(specs); };
    return k;
  }

 private:
  template <class>
  friend class KeyBuilder;  // a list key parses, checks and formats its items as a KeyBuilder<item>

  // The accessor takes Specs&; reading through it never modifies the object.
  const T& get(const Specs& specs) const { return field_(const_cast<Specs&>(specs)); }

  static bool same_bits(const T& a, const T& b) {
    if constexpr (std::is_same_v<T, double>) {
      return std::memcmp(&a, &b, sizeof a) == 0;  // tells -0.0 from 0.0
    } else {
      return a == b;
    }
  }

  static std::string number_text(T v) {
    if constexpr (std::is_same_v<T, double>) {
      std::string s = format_double(v);
      if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0)
        s.resize(s.size() - 2);  // "1" reads better than "1.0" in prose
      return s;
    } else {
      return std::to_string(v);
    }
  }

  std::string type_name() const {
    if constexpr (std::is_same_v<T, bool>)
      return "bool";
    else if constexpr (std::is_same_v<T, int>)
      return "int";
    else if constexpr (std::is_same_v<T, uint32_t>)
      return "uint32";
    else if constexpr (std::is_same_v<T, uint64_t>)
      return "uint64";
    else if constexpr (std::is_same_v<T, double>)
      return "double";
    else if constexpr (std::is_same_v<T, std::string>)
      return is_path_ ? "path" : "string";
    else
      return "enum";
  }

  std::string choice_names() const {
    std::string out;
    for (const auto& c : choices_) out += (out.empty() ? "" : ", ") + c.first;
    return out;
  }

  // "[1, 32]", "(0, 1]", ">= 1", "> 0", or "" without bounds.
  std::string bounds_text() const {
    if constexpr (kNumber) {
      if (lo_ && hi_) {
        return std::string(lo_open_ ? "(" : "[") + number_text(*lo_) + ", " + number_text(*hi_) +
               (hi_open_ ? ")" : "]");
      }
      if (lo_) return std::string(lo_open_ ? "> " : ">= ") + number_text(*lo_);
      if (hi_) return std::string(hi_open_ ? "< " : "<= ") + number_text(*hi_);
      if constexpr (std::is_unsigned_v<T>) return ">= 0";
    }
    return "";
  }

  std::string allowed_text() const {
    if constexpr (std::is_same_v<T, bool>) {
      return "true, false";
    } else if constexpr (kNumber) {
      const std::string b = bounds_text();
      if (pow2_) return b.empty() ? "power of two" : "power of two, " + b;
      if (multiple_) return "multiple of " + number_text(*multiple_) + (b.empty() ? "" : ", " + b);
      return b.empty() ? "any" : b;
    } else if constexpr (std::is_same_v<T, std::string>) {
      return is_path_ ? "non-empty" : "any";
    } else {
      return choice_names();
    }
  }

  std::string expected_text() const {
    if constexpr (std::is_same_v<T, bool>) {
      return "true or false";
    } else if constexpr (kNumber) {
      const std::string b = bounds_text();
      std::string noun = pow2_       ? "a power of two (e.g. 0.5, 1, 2, 8)"
                         : multiple_ ? "a multiple of " + number_text(*multiple_)
                         : kInteger  ? "an integer"
                                     : "a number";
      if (b.empty()) return noun;
      return noun + (b[0] == '[' || b[0] == '(' ? " in " : " ") + b;
    } else if constexpr (std::is_same_v<T, std::string>) {
      return is_path_ ? "a non-empty path" : "a string";
    } else {
      return "one of: " + choice_names();
    }
  }

  static std::string shown(const Scalar& s) {
    std::string text = s.quoted || s.text.empty() ? quote_yaml(s.text) : s.text;
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
  }

  [[noreturn]] void fail(const InputLocation& where, const std::string& problem) const {
    throw InputError(where, problem + "; expected " + expected_text());
  }

  void check_bounds(T v, const Scalar& s, const InputLocation& where) const {
    if constexpr (kNumber) {
      const bool low = lo_ && (lo_open_ ? !(v > *lo_) : !(v >= *lo_));
      const bool high = hi_ && (hi_open_ ? !(v < *hi_) : !(v <= *hi_));
      if (low || high) fail(where, "value " + shown(s) + " is out of range");
    }
  }

  T parse(const Scalar& s, const InputLocation& where) const {
    if (s.null) fail(where, "no value given");
    if constexpr (std::is_same_v<T, std::string>) {
      if (is_path_ && s.text.empty()) fail(where, "value \"\" is empty");
      return s.text;
    } else if constexpr (std::is_enum_v<T>) {
      for (const auto& c : choices_) {
        if (c.first == s.text) return c.second;
      }
      fail(where, "value " + shown(s) + " is not allowed");
    } else {
      if (s.quoted) fail(where, "value " + shown(s) + " is a quoted string");
      if constexpr (std::is_same_v<T, bool>) {
        const auto b = parse_bool(s.text);
        if (!b) fail(where, "value " + shown(s) + " is not a boolean");
        return *b;
      } else if constexpr (kInteger) {
        DecimalInteger d;
        const NumberParse r = parse_integer(s.text, d);
        if (r == NumberParse::kNotFinite) fail(where, "value " + shown(s) + " is not a finite number");
        if (r == NumberParse::kNotANumber) fail(where, "value " + shown(s) + " is not a number");
        if (r == NumberParse::kNotAnInteger) fail(where, "value " + shown(s) + " is not an integer");
        const auto max = static_cast<uint64_t>(std::numeric_limits<T>::max());
        const std::string limits = "; " + type_name() + " holds [" +
                                   std::to_string(std::numeric_limits<T>::min()) + ", " +
                                   std::to_string(std::numeric_limits<T>::max()) + "]";
        if (r == NumberParse::kOutOfRange)
          fail(where, "value " + shown(s) + " does not fit in " + type_name() + limits);
        T v{};
        if (d.negative) {
          if constexpr (std::is_unsigned_v<T>) {
            fail(where, "value " + shown(s) + " is out of range");
          } else {
            if (d.magnitude - 1 > max)
              fail(where, "value " + shown(s) + " does not fit in " + type_name() + limits);
            v = static_cast<T>(-static_cast<T>(d.magnitude - 1) - 1);  // -(m-1)-1: no overflow at the minimum
          }
        } else {
          if (d.magnitude > max)
            fail(where, "value " + shown(s) + " does not fit in " + type_name() + limits);
          v = static_cast<T>(d.magnitude);
        }
        check_bounds(v, s, where);
        if (multiple_ && v % *multiple_ != 0)
          fail(where, "value " + shown(s) + " is not a multiple of " + number_text(*multiple_));
        return v;
      } else {
        double v = 0.0;
        const NumberParse r = parse_double(s.text, v);
        if (r == NumberParse::kNotFinite) fail(where, "value " + shown(s) + " is not a finite number");
        if (r == NumberParse::kNotANumber) fail(where, "value " + shown(s) + " is not a number");
        if (r == NumberParse::kOutOfRange)
          fail(where, "value " + shown(s) + " cannot be represented as a double (overflow or underflow)");
        if (pow2_ && !is_power_of_two(v)) fail(where, "value " + shown(s) + " is not a power of two");
        check_bounds(v, s, where);
        return v;
      }
    }
  }

  std::string format_value(const T& v) const {
    if constexpr (std::is_same_v<T, bool>) {
      return v ? "true" : "false";
    } else if constexpr (std::is_same_v<T, double>) {
      return format_double(v);
    } else if constexpr (kInteger) {
      return std::to_string(v);
    } else if constexpr (std::is_same_v<T, std::string>) {
      return quote_yaml(v);
    } else {
      for (const auto& c : choices_) {
        if (c.second == v) return c.first;
      }
      return "<invalid enum value " + std::to_string(static_cast<long long>(v)) + ">";
    }
  }

  std::string path_;
  std::string member_;
  Field field_;
  std::string unit_ = "-";
  std::string default_;
  bool required_ = false;
  std::optional<T> lo_, hi_;
  bool lo_open_ = false, hi_open_ = false;
  bool pow2_ = false;
  std::optional<T> multiple_;
  bool is_path_ = false;
  std::vector<std::pair<std::string, T>> choices_;
  std::string source_, doc_;
  bool hashed_ = true;
};

/// @brief Builds one KeySpec for a list-valued Specs member: a YAML sequence whose items are
/// parsed, range-checked and formatted exactly like a scalar key of type Item. The canonical
/// form is a flow sequence, "[a, b, c]".
template <class Item>
class KeyBuilder<std::vector<Item>> {
 public:
  using T = std::vector<Item>;
  using Field = std::function<T&(Specs&)>;

  KeyBuilder(const std::string& path, std::string member, Field field)
      : path_(path), member_(std::move(member)), field_(std::move(field)), item_(path, {}, nullptr) {}

  KeyBuilder& unit(std::string u) {
    unit_ = std::move(u);
    return *this;
  }
  /// Default items as plain (unquoted) YAML scalar texts; validated like user input when the
  /// table is built. (Not an overload of defaults_to: {"a", "b"} would also convert to a string.)
  KeyBuilder& defaults_to_items(std::vector<std::string> items) {
    default_ = std::move(items);
    return *this;
  }
  KeyBuilder& required() {
    required_ = true;
    return *this;
  }
  KeyBuilder& non_empty() {
    non_empty_ = true;
    return *this;
  }
  /// No value may appear twice.
  KeyBuilder& distinct() {
    distinct_ = true;
    return *this;
  }
  // Constraints on every item, as for a scalar key.
  KeyBuilder& at_least(Item lo) {
    item_.at_least(lo);
    return *this;
  }
  KeyBuilder& above(Item lo) {
    item_.above(lo);
    return *this;
  }
  KeyBuilder& at_most(Item hi) {
    item_.at_most(hi);
    return *this;
  }
  KeyBuilder& below(Item hi) {
    item_.below(hi);
    return *this;
  }
  KeyBuilder& power_of_two() {
    item_.power_of_two();
    return *this;
  }
  KeyBuilder& is_path() {
    item_.is_path();
    return *this;
  }
  KeyBuilder& one_of(std::vector<std::pair<std::string, Item>> choices) {
    item_.one_of(std::move(choices));
    return *this;
  }
  KeyBuilder& source(std::string s) {
    source_ = std::move(s);
    return *this;
  }
  KeyBuilder& doc(std::string d) {
    doc_ = std::move(d);
    return *this;
  }
  KeyBuilder& not_hashed() {
    hashed_ = false;
    return *this;
  }

  operator KeySpec() const {  // NOLINT(google-explicit-constructor): table entries convert implicitly
    KeySpec k;
    k.path = path_;
    k.member_path = member_;
    k.type = "list of " + item_.type_name();
    k.list = true;
    k.unit = unit_;
    k.required = required_;
    k.allowed = allowed_text();
    k.expected = expected_text();
    k.source = source_;
    k.description = doc_;
    k.hashed = hashed_;
    if (!required_) {
      std::vector<ListItem> items;
      for (const std::string& text : default_) items.push_back(ListItem{Scalar{text}, -1});
      try {
        k.default_text = format_value(parse(items, InputLocation{"key table", -1, -1, path_}));
      } catch (const InputError& e) {
        throw std::logic_error(std::string("config key table: bad default: ") + e.what());
      }
    }
    const KeyBuilder self = *this;
    k.assign = [self](const Scalar& value, const InputLocation& where, Specs&) {
      if (value.null) self.fail(where, "no value given");
      self.fail(where, "value " + KeyBuilder<Item>::shown(value) + " is a single value, not a list");
    };
    k.assign_list = [self](const std::vector<ListItem>& items, const InputLocation& where, Specs& specs) {
      self.field_(specs) = self.parse(items, where);
    };
    k.format = [self](const Specs& specs) { return self.format_value(self.get(specs)); };
    k.same = [self](const Specs& a, const Specs& b) { return self.same_items(self.get(a), self.get(b)); };
    k.member = [self](const Specs& specs) -> const void* { return &self.get(specs); };
    return k;
  }

 private:
  const T& get(const Specs& specs) const { return field_(const_cast<Specs&>(specs)); }

  static bool same_items(const T& a, const T& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!KeyBuilder<Item>::same_bits(a[i], b[i])) return false;
    }
    return true;
  }

  // "list (non-empty, distinct) of: a, b, c"
  std::string allowed_text() const {
    std::string qualifiers;
    if (non_empty_) qualifiers += "non-empty";
    if (distinct_) qualifiers += std::string(qualifiers.empty() ? "" : ", ") + "distinct";
    return "list" + (qualifiers.empty() ? "" : " (" + qualifiers + ")") + " of: " + item_.allowed_text();
  }

  // "a non-empty list of distinct items, each one of: a, b, c"
  std::string expected_text() const {
    return std::string("a ") + (non_empty_ ? "non-empty " : "") + "list of " +
           (distinct_ ? "distinct " : "") + "items, each " + item_.expected_text();
  }

  [[noreturn]] void fail(const InputLocation& where, const std::string& problem) const {
    throw InputError(where, problem + "; expected " + expected_text());
  }

  T parse(const std::vector<ListItem>& items, const InputLocation& where) const {
    if (non_empty_ && items.empty()) fail(where, "the list is empty");
    T out;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const InputLocation at{where.file, items[i].line >= 0 ? items[i].line : where.line, where.byte_offset,
                             where.key};
      const std::string label = "item " + std::to_string(i + 1);
      try {
        out.push_back(item_.parse(items[i].value, at));
      } catch (const InputError& e) {
        throw InputError(e.where(), label + ": " + e.problem());
      }
      for (std::size_t j = 0; distinct_ && j < i; ++j) {
        if (KeyBuilder<Item>::same_bits(out[j], out[i])) {
          fail(at, label + ": value " + KeyBuilder<Item>::shown(items[i].value) + " is already item " +
                       std::to_string(j + 1));
        }
      }
    }
    return out;
  }

  std::string format_value(const T& v) const {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + item_.format_value(v[i]);
    return out + "]";
  }

  std::string path_;
  std::string member_;
  Field field_;
  KeyBuilder<Item> item_;  // parses and formats one item; its own field is unused
  std::string unit_ = "-";
  std::vector<std::string> default_;
  bool required_ = false;
  bool non_empty_ = false;
  bool distinct_ = false;
  std::string source_, doc_;
  bool hashed_ = true;
};

/// @brief Starts a KeyBuilder for the key `path` bound to the member at `member` (its C++ path
/// in Specs); `field` returns that member by reference.
template <class Accessor>
auto make_key(std::string path, std::string member, Accessor field) {
  using T = std::remove_reference_t<std::invoke_result_t<Accessor, Specs&>>;
  return KeyBuilder<T>(std::move(path), std::move(member), std::function<T&(Specs&)>(std::move(field)));
}

}  // namespace lrt::config

/// @brief Key-table entry for the Specs member `member_path`, e.g. LRT_CONFIG_KEY(run.seed).
/// A macro only because the key string must be the member path spelled out.
#define LRT_CONFIG_KEY(member_path) LRT_CONFIG_KEY_AT(#member_path, member_path)

/// @brief Key-table entry for the key `key` (a string) bound to the Specs member `member_path`.
#define LRT_CONFIG_KEY_AT(key, member_path) \
  ::lrt::config::make_key(                  \
      key, #member_path, [](::lrt::config::Specs & s) -> auto& { return s.member_path; })
