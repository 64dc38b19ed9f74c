#include "config/yaml_documents.h"

#include <sstream>

#include <yaml-cpp/eventhandler.h>

namespace lrt::config {

namespace {

/// Records where each document starts (its first node, or the document mark when it has
/// none); ignores everything else.
class DocumentStarts : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    starts.push_back(mark);
    first_node_seen_ = false;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override { node(m); }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(m);
  }
  void OnMapEnd() override {}
  std::vector<YAML::Mark> starts;

 private:
  void node(const YAML::Mark& m) {
    if (!first_node_seen_ && !starts.empty()) starts.back() = m;
    first_node_seen_ = true;
  }
  bool first_node_seen_ = false;
};

bool same_place(const YAML::Mark& a, const YAML::Mark& b) { return a.pos == b.pos && a.line == b.line; }

}  // namespace

YAML::Node load_single_document(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts starts;
  // Three documents are enough to tell "one" from "more than one" and to see a parser
  // that makes no progress ("[a]," yields [a], then empty documents at one place); the
  // bound is what keeps the stray-token case from looping.
  while (starts.starts.size() < 3 && parser.HandleNextDocument(starts)) {
  }
  const auto& s = starts.starts;
  for (std::size_t i = 1; i < s.size(); ++i)
    if (same_place(s[i - 1], s[i]))
      throw YAML::ParserException(s[i], "unexpected token (a stray ',' or a node after the document)");
  if (s.size() >= 2) {
    MultipleDocuments more;
    more.line = s[1].line + 1;
    throw more;
  }
  return YAML::Load(text);  // a single document: Load reads exactly one, no loop
}

}  // namespace lrt::config
