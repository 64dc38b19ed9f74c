#include "tlm/tlm_weight_store.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/error.h"
#include "tlm/tlm_util.h"

namespace lrt::tlm {

TlmWeightStore::TlmWeightStore(::tlm::tlm_fw_transport_if<>& port, uint64_t base, rram_array& array,
                               sc_core::sc_time& delay)
    : port_(port), base_(base), array_(array), delay_(delay), word_bytes_(array.bytes_per_word()), tag_(new CostTag) {
  trans_.set_extension(tag_);
}

void TlmWeightStore::account_reads(uint64_t n) {
  const uint64_t reads = n * words();
  array_.account_dmi_reads(reads);
  tag_->charge(Component::kRramRead, device::energy_of(reads, array_.array().read_energy_per_word()));
  delay_ += clock_cycles(reads * array_.array().specs().read_latency_cycles, array_.clock_period());
}

void TlmWeightStore::transport(::tlm::tlm_command cmd, uint64_t first, uint64_t words, bool debug) const {
  const uint64_t bytes = words * word_bytes_;
  if (buffer_.size() < bytes) buffer_.resize(bytes);
  ::tlm::tlm_generic_payload& t = trans_;  // reused: constructing a payload allocates
  t.set_command(cmd);
  t.set_address(base_ + first * word_bytes_);
  t.set_data_ptr(buffer_.data());
  t.set_data_length(static_cast<unsigned>(bytes));
  t.set_streaming_width(static_cast<unsigned>(bytes));
  t.set_byte_enable_ptr(nullptr);
  t.set_dmi_allowed(false);
  t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
  if (debug) {
    if (port_.transport_dbg(t) != bytes)
      throw RunError("weight store: debug transport of " + std::to_string(words) + " words at word " +
                     std::to_string(first) + " failed");
    return;
  }
  port_.b_transport(t, delay_);
  if (t.is_response_error())
    throw RunError("weight store: " + t.get_response_string() + " for " + std::to_string(words) +
                   " words at word " + std::to_string(first));
}

void TlmWeightStore::encode(const int32_t* codes, uint64_t words) const {
  if (buffer_.size() < words * word_bytes_) buffer_.resize(words * word_bytes_);
  store_codes_le(codes, words, buffer_.data(), word_bytes_);
}

void TlmWeightStore::decode(int32_t* codes, uint64_t words) const {
  load_codes_le(buffer_.data(), words, codes, word_bytes_);
}

void TlmWeightStore::deploy(int32_t* codes) {
  encode(codes, words());
  transport(::tlm::TLM_WRITE_COMMAND, 0, words(), true);
  transport(::tlm::TLM_READ_COMMAND, 0, words(), true);  // a stuck cell kept its level
  decode(codes, words());
}

// A backdoor read of the target's device model: free and uncounted, like debug transport,
// without a bus round trip per word (drift asks for every word it changed).
int32_t TlmWeightStore::peek(int64_t word) const { return array_.array().peek_word(static_cast<uint64_t>(word)); }

void TlmWeightStore::peek_all(int32_t* codes) const { array_.array().peek_words(0, words(), codes); }

void TlmWeightStore::write(const std::vector<int64_t>& cells, int32_t* codes) {
  // The device state of the words a few bursts ahead into the cache (a host-side hint, outside
  // the transactions: it changes nothing the model sees).
  constexpr size_t kAhead = 8;
  size_t fetched = 0;
  for (size_t i = 0; i < cells.size();) {
    for (; fetched < std::min(cells.size(), i + kAhead); ++fetched)
      array_.array().prefetch_word(static_cast<uint64_t>(cells[fetched]));
    size_t j = i + 1;  // [i, j): a run of consecutive words, one burst
    while (j < cells.size() && cells[j] == cells[j - 1] + 1) ++j;
    const auto first = static_cast<uint64_t>(cells[i]);
    const uint64_t n = j - i;
    encode(codes + first, n);
    transport(::tlm::TLM_WRITE_COMMAND, first, n, false);
    for (uint64_t w = first; w < first + n; ++w) codes[w] = peek(static_cast<int64_t>(w));  // what the cells hold now
    i = j;
  }
}

void TlmWeightStore::read_all(int32_t* codes) {
  transport(::tlm::TLM_READ_COMMAND, 0, words(), false);
  decode(codes, words());
}

bool TlmWeightStore::read_deviations(std::vector<WordCode>& out) {
  if (!array_.array().sparse_reads()) return false;
  deviations_.served = false;
  deviations_.words.clear();
  struct Detach {  // also when transport() throws: the payload frees what it holds
    ::tlm::tlm_generic_payload& t;
    ~Detach() { t.clear_extension<ReadDeviations>(); }
  } detach{trans_};
  trans_.set_extension(&deviations_);
  transport(::tlm::TLM_READ_COMMAND, 0, words(), false);
  if (!deviations_.served)
    throw std::logic_error("weight store: the RRAM target did not list the read's deviations");
  if (out.empty())
    out.swap(
        deviations_
            .words);  // the list without a copy (some 10^5 words a sample); out's storage is reused next time
  else
    out.insert(out.end(), deviations_.words.begin(), deviations_.words.end());
  return true;
}

bool TlmWeightStore::end_sample(std::vector<int64_t>& changed) {
  return advance_one_sample(array_, changed_, changed);
}

}  // namespace lrt::tlm
