#include "config/effective.h"

#include <cstdio>
#include <memory>
#include <vector>

#include "core/atomic_file.h"

namespace lrt::config {

namespace {

// The key table as a tree, children in table order, so the YAML nests like the paths.
struct Section {
  std::string name;
  const KeySpec* key = nullptr;  // set on leaves
  std::vector<std::unique_ptr<Section>> children;

  Section& child(const std::string& child_name) {
    for (auto& c : children) {
      if (c->name == child_name) return *c;
    }
    children.push_back(std::make_unique<Section>());
    children.back()->name = child_name;
    return *children.back();
  }
};

void emit(const Section& section, const Specs& specs, int depth, std::string& out) {
  const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  for (const auto& c : section.children) {
    if (depth == 0 && &c != &section.children.front())
      out += "\n";  // a blank line between top-level sections
    if (c->key) {
      out += indent + c->name + ": " + c->key->format(specs);
      if (c->key->unit != "-" && c->key->unit != "1") out += "  # [" + c->key->unit + "]";
      out += "\n";
    } else {
      out += indent + c->name + ":\n";
      emit(*c, specs, depth + 1, out);
    }
  }
}

}  // namespace

std::string effective_yaml(const Specs& specs, const Schema& keys) {
  Section root;
  for (const KeySpec& k : keys) {
    Section* s = &root;
    for (const std::string& part : split_path(k.path)) s = &s->child(part);
    s->key = &k;
  }
  std::string out =
      "# lrtsim effective configuration: every key, defaults filled in ([unit] in comments).\n"
      "# config_hash: " +
      hash_hex(config_hash(specs, keys)) + "\n";
  emit(root, specs, 0, out);
  return out;
}

std::string canonical_text(const Specs& specs, const Schema& keys) {
  std::string text;
  for (const KeySpec& k : keys) {
    if (k.hashed) text += k.path + "=" + k.format(specs) + "\n";
  }
  return text;
}

uint64_t config_hash(const Specs& specs, const Schema& keys) { return fnv1a64(canonical_text(specs, keys)); }

uint64_t fnv1a64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;  // unsigned: wraps by definition
  }
  return h;
}

std::string hash_hex(uint64_t hash) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash));
  return buf;
}

void write_effective(const std::string& path, const Specs& specs) {
  write_file_atomically(path, effective_yaml(specs));
}

}  // namespace lrt::config
