#pragma once
// A read burst that also says which of its words read differently from what they store (a
// generic-payload extension, IEEE 1666-2011 §14.2). An initiator that holds the stored codes
// (a layer's datapath keeps the weights it wrote) attaches it to a read; a target that can tell
// (tlm::rram_array while its only read effect is sparse read noise) fills the data as always
// and lists the deviating words here, so the initiator's work follows the noise events rather
// than the burst's length. A target that does not know the extension serves the read as any
// other and leaves `served` false (tlm::TlmWeightStore, which reads its own rram_array, then
// throws std::logic_error).

#include <tlm>
#include <vector>

#include "core/word_code.h"

namespace lrt::tlm {

class ReadDeviations final : public ::tlm::tlm_extension<ReadDeviations> {
 public:
  bool served = false;          ///< the target filled `words`
  std::vector<WordCode> words;  ///< ascending target word indices and the codes they read

  ::tlm::tlm_extension_base* clone() const override { return new ReadDeviations(*this); }
  void copy_from(const ::tlm::tlm_extension_base& other) override {
    *this = static_cast<const ReadDeviations&>(other);
  }
};

}  // namespace lrt::tlm
