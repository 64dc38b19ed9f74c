#pragma once
// Loading the documents of a YAML stream without yaml-cpp 0.7's LoadAll hang.
//
// yaml-cpp 0.7 (Debian 12) loops forever, allocating, on a stray flow-entry token at the
// top of a stream (",", "[a],", "\"x\","): the parser reports an empty document without
// consuming the token, and LoadAll asks again (upstream issue jbeder/yaml-cpp#1040, fixed
// by PR #1319 after 0.8). Found by our config fuzzer. We count documents with the event
// parser ourselves, stop at the second one, and treat a document that starts where the
// previous one started (no progress) as the syntax error it is.

#include <string>

#include <yaml-cpp/yaml.h>

namespace lrt::config {

/// @brief The single document of `text`. Throws YAML::ParserException for a syntax error
/// (including the stray-token case), and MultipleDocuments when there is more than one.
YAML::Node load_single_document(const std::string& text);

/// @brief Thrown by load_single_document when the stream holds two or more documents.
struct MultipleDocuments {
  int line = -1;  ///< 1-based line where the second document starts
};

}  // namespace lrt::config
