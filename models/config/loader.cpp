#include "config/loader.h"
#include "config/yaml_documents.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "config/bind.h"
#include "core/error.h"
#include "core/text_file.h"

namespace lrt::config {

namespace {

// ---- the key table seen as a tree ----------------------------------------------------

class KeyTree {
 public:
  explicit KeyTree(const Schema& keys) : keys_(keys) {
    validate_schema(keys);
    for (const KeySpec& k : keys) {
      by_path_[k.path] = &k;
      std::string parent;
      for (const std::string& part : split_path(k.path)) {
        auto& names = children_[parent];
        if (std::find(names.begin(), names.end(), part) == names.end()) names.push_back(part);
        parent = parent.empty() ? part : parent + "." + part;
      }
    }
  }

  const Schema& keys() const { return keys_; }
  const KeySpec* key(const std::string& path) const {
    const auto it = by_path_.find(path);
    return it == by_path_.end() ? nullptr : it->second;
  }
  bool is_section(const std::string& path) const { return !key(path) && children_.count(path) > 0; }
  const std::vector<std::string>& children(const std::string& section) const { return children_.at(section); }

  // "run, data, train, accel"
  std::string child_list(const std::string& section) const {
    std::string out;
    for (const auto& name : children(section)) out += (out.empty() ? "" : ", ") + name;
    return out;
  }

  // Closest known key or section to a mistyped path, or "" if none is plausibly meant:
  // a small edit distance, or a last component that contains the other
  // ("endurance" / "endurance_writes"; three letters at least, so "e" is not "seed").
  std::string suggestion(const std::string& wrong, const std::vector<std::string>& candidates) const {
    const std::string wrong_leaf = split_path(wrong).back();
    std::string best;
    std::size_t best_score = std::string::npos;
    for (const auto& c : candidates) {
      const std::string leaf = split_path(c).back();
      const bool contained =
          wrong_leaf.size() >= 3 && leaf.size() >= 3 &&
          (leaf.find(wrong_leaf) != std::string::npos || wrong_leaf.find(leaf) != std::string::npos);
      const std::size_t d = edit_distance(wrong, c);
      const bool plausible = contained || d <= std::max<std::size_t>(2, wrong_leaf.size() / 3);
      const std::size_t score = plausible ? d : std::string::npos;
      if (score < best_score) {
        best_score = score;
        best = c;
      }
    }
    return best;
  }

  std::vector<std::string> child_paths(const std::string& section) const {
    std::vector<std::string> out;
    for (const auto& name : children(section)) out.push_back(section.empty() ? name : section + "." + name);
    return out;
  }

  std::vector<std::string> all_paths() const {
    std::vector<std::string> out;
    for (const auto& [section, names] : children_) {
      for (const auto& name : names) out.push_back(section.empty() ? name : section + "." + name);
    }
    return out;
  }

 private:
  static std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    return row[b.size()];
  }

  const Schema& keys_;
  std::map<std::string, const KeySpec*> by_path_;
  std::map<std::string, std::vector<std::string>> children_;  // "" is the top level
};

// ---- YAML helpers -----------------------------------------------------------------------

int64_t line_of(const YAML::Node& node) { return node.Mark().line >= 0 ? node.Mark().line + 1 : -1; }

const char* kind_of(const YAML::Node& node) {
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a sequence";
  if (node.IsNull()) return "nothing";
  return "a single value";
}

Scalar to_scalar(const YAML::Node& node) {
  Scalar s;
  if (node.IsNull()) {
    s.null = true;
    return s;
  }
  s.text = node.Scalar();
  s.quoted = node.Tag() != "?";  // yaml-cpp tags plain scalars "?", quoted ones "!"
  return s;
}

// Stores one YAML value into its key: a scalar, or for a list key a sequence of scalars.
// Structural problems (a map, a nested sequence) are reported here, bad values by the key.
void assign_node(const KeySpec& key, const YAML::Node& value, const InputLocation& where, Specs& specs) {
  if (key.list && value.IsSequence()) {
    std::vector<ListItem> items;
    for (const auto& item : value) {  // binds the temporary the iterator hands out
      // The lines of a --set value count within the value, not in a file: keep the key's then.
      const int64_t line = where.line >= 0 && line_of(item) >= 0 ? line_of(item) : where.line;
      if (item.IsMap() || item.IsSequence()) {
        throw InputError({where.file, line, -1, where.key}, "item " + std::to_string(items.size() + 1) +
                                                                " is " + kind_of(item) + "; expected " +
                                                                key.expected);
      }
      items.push_back(ListItem{to_scalar(item), line});
    }
    key.assign_list(items, where, specs);
    return;
  }
  if (value.IsMap() || value.IsSequence())
    throw InputError(where, std::string("found ") + kind_of(value) + "; expected " + key.expected);
  key.assign(to_scalar(value), where, specs);
}

std::string read_config_file(const std::string& path) { return read_text_file(path, "configuration file"); }

// ---- applying values --------------------------------------------------------------------

class SpecsBuilder {
 public:
  explicit SpecsBuilder(const Schema& keys) : tree_(keys) {
    for (const KeySpec& k : keys) {
      // default_text is canonical YAML (strings quoted): read it like a value in a file.
      if (!k.required)
        assign_node(k, YAML::Load(k.default_text), InputLocation{"key table", -1, -1, k.path}, specs_);
    }
  }

  void apply_document(const std::string& yaml_text, const std::string& file) {
    std::vector<YAML::Node> docs;
    try {
      docs.push_back(load_single_document(yaml_text));  // not YAML::LoadAll: see yaml_documents.h
    } catch (const YAML::Exception& e) {  // ParserException and its kin (e.g. nesting too deep)
      throw InputError({file, e.mark.line >= 0 ? e.mark.line + 1 : -1}, "YAML syntax error: " + e.msg);
    } catch (const MultipleDocuments& more) {
      throw InputError({file, more.line}, "holds more than one YAML document; expected one");
    }
    if (docs.empty() || docs[0].IsNull()) {
      throw InputError({file}, "file is empty; expected a map with the sections " + tree_.child_list(""));
    }
    if (!docs[0].IsMap()) {
      throw InputError({file, line_of(docs[0])}, std::string("found ") + kind_of(docs[0]) +
                                                     " at the top level; expected a map with the sections " +
                                                     tree_.child_list(""));
    }
    apply_map(docs[0], "", file);
  }

  void apply_override(const std::string& assignment) {
    const std::size_t eq = assignment.find('=');
    if (eq == std::string::npos) {
      throw InputError({"--set"}, "'" + assignment + "' has no '='; expected key.path=value");
    }
    const std::string path = trim(assignment.substr(0, eq));
    const std::string value = assignment.substr(eq + 1);
    if (path.empty())
      throw InputError({"--set"}, "'" + assignment + "' has no key before '='; expected key.path=value");
    const InputLocation where{"--set " + path, -1, -1, path};
    const KeySpec* key = tree_.key(path);
    if (!key) {
      if (tree_.is_section(path)) {
        throw InputError(where, "is a section, not a key; set one of its keys: " + tree_.child_list(path));
      }
      const std::string guess = tree_.suggestion(path, tree_.all_paths());
      throw InputError(where, "unknown key" + (guess.empty() ? "" : "; did you mean " + guess + "?") +
                                  " (`lrtsim config doc` lists every key)");
    }
    YAML::Node node;
    try {
      node = YAML::Load(value);
    } catch (const YAML::Exception& e) {
      throw InputError(
          where, "value '" + value + "' is not a YAML scalar (" + e.msg + "); expected " + key->expected);
    }
    if (node.IsMap() || (node.IsSequence() && !key->list)) {
      throw InputError(
          where, std::string("value '") + value + "' is " + kind_of(node) + "; expected " + key->expected);
    }
    assign_node(*key, node, where, specs_);
    given_[path] = where;
  }

  const Specs& specs() const { return specs_; }

  // The specs after a check that every required key was given and, with `check_rules`, that
  // the keys agree with each other (check_consistency). A rule's error names one key; it is
  // reported where that key was given, or against the whole input if it has its default.
  Specs finish(const std::string& file, bool check_rules) {
    for (const KeySpec& k : tree_.keys()) {
      if (!k.required || given_.count(k.path)) continue;
      // Point at the deepest section of the key that the file does have, if any.
      int64_t line = -1;
      for (std::string s = k.path; s.find('.') != std::string::npos && line < 0;) {
        s.resize(s.rfind('.'));
        const auto it = section_lines_.find(s);
        if (it != section_lines_.end()) line = it->second;
      }
      throw InputError({file, line, -1, k.path},
                       "required key is missing; expected " + k.expected + " (" + k.description + ")");
    }
    if (check_rules) {
      try {
        check_consistency(specs_);
      } catch (const InputError& e) {
        const std::string& key = e.where().key;
        const auto given = given_.find(key);
        if (given != given_.end()) throw InputError(given->second, e.problem());
        if (key.empty()) throw InputError({file}, e.problem());
        throw InputError({file, -1, -1, key}, e.problem() + " (" + key + " has its default value)");
      }
    }
    return specs_;
  }

 private:
  static std::string trim(const std::string& s) {
    const std::size_t b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
  }

  void apply_map(const YAML::Node& map, const std::string& section, const std::string& file) {
    std::map<std::string, int64_t> seen;  // yaml-cpp keeps duplicate keys; we refuse them
    for (const auto& pair : map) {
      // Copies, not references: yaml-cpp's iterator hands out temporaries.
      const YAML::Node name_node = pair.first;
      const YAML::Node value = pair.second;
      const int64_t line = line_of(name_node);
      if (!name_node.IsScalar()) {
        throw InputError({file, line, -1, section}, std::string("found ") + kind_of(name_node) +
                                                        " as a key; expected a name, one of " +
                                                        tree_.child_list(section));
      }
      const std::string name = name_node.Scalar();
      const std::string path = section.empty() ? name : section + "." + name;
      const auto [first, fresh] = seen.emplace(name, line);
      if (!fresh) {
        throw InputError({file, line, -1, path},
                         "duplicate key (first given on line " + std::to_string(first->second) + ")");
      }
      if (const KeySpec* key = tree_.key(path)) {
        // yaml-cpp marks a missing value at the following line: use the key's line then.
        const int64_t value_line = value.IsNull() || line_of(value) < 0 ? line : line_of(value);
        const InputLocation where{file, value_line, -1, path};
        assign_node(*key, value, where, specs_);
        given_[path] = where;
      } else if (tree_.is_section(path)) {
        section_lines_[path] = line;
        if (value.IsNull()) continue;  // an empty section: all its keys keep their defaults
        if (!value.IsMap()) {
          throw InputError({file, line_of(value) >= 0 ? line_of(value) : line, -1, path},
                           std::string("found ") + kind_of(value) + "; expected a map with the keys " +
                               tree_.child_list(path));
        }
        apply_map(value, path, file);
      } else {
        const std::string guess = tree_.suggestion(path, tree_.child_paths(section));
        throw InputError({file, line, -1, path},
                         "unknown key" + (guess.empty() ? "" : "; did you mean " + guess + "?") +
                             " Allowed " + (section.empty() ? "at the top level" : "in " + section) + ": " +
                             tree_.child_list(section));
      }
    }
  }

  KeyTree tree_;
  Specs specs_;
  std::map<std::string, InputLocation> given_;  // where each key given in the input was set
  std::map<std::string, int64_t> section_lines_;
};

Specs parse(const std::string& yaml_text, const std::string& source_name,
            const std::vector<std::string>& set_overrides, const Schema& keys, bool check_rules) {
  SpecsBuilder builder(keys);
  builder.apply_document(yaml_text, source_name);
  for (const auto& o : set_overrides) builder.apply_override(o);
  return builder.finish(source_name, check_rules);
}

}  // namespace

Specs parse_specs(const std::string& yaml_text, const std::string& source_name,
                  const std::vector<std::string>& set_overrides) {
  return parse(yaml_text, source_name, set_overrides, schema(), true);
}

Specs parse_specs(const std::string& yaml_text, const std::string& source_name,
                  const std::vector<std::string>& set_overrides, const Schema& keys) {
  return parse(yaml_text, source_name, set_overrides, keys, false);
}

Specs load_specs(const std::string& path, const std::vector<std::string>& set_overrides, const Schema& keys) {
  return parse(read_config_file(path), path, set_overrides, keys, false);
}

Specs load_specs(const std::string& path, const std::vector<std::string>& set_overrides) {
  return parse(read_config_file(path), path, set_overrides, schema(), true);
}

Specs specs_from_overrides(const std::vector<std::string>& set_overrides) {
  SpecsBuilder builder(schema());
  for (const auto& o : set_overrides) builder.apply_override(o);
  return builder.finish("--set", true);
}

Specs default_specs() {
  static const Specs defaults = SpecsBuilder(schema()).specs();
  return defaults;
}

}  // namespace lrt::config
