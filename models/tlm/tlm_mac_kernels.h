#pragma once
// A layer's MAC jobs (golden/training/mac_kernels.h) computed by the tlm::mac_array behind the
// bus: the operands go into the array's operand memory (through DMI when the array grants it,
// else write bursts), the job is one b_transport to the array's job register, and the result
// comes back out of the operand memory. So the values the datapath continues with are what
// the module computed. The job's latency goes to `delay` (the calling process's local time
// offset, as for the layer's weight store); its energy to this object's CostTag, whose phase
// follows the job (forward; input and weight gradients: backward; the bias gradient and the
// LRT update's L R^T: update).

#include <cstdint>
#include <initializer_list>
#include <systemc>
#include <tlm>
#include <vector>

#include "golden/training/engine.h"
#include "golden/training/mac_kernels.h"
#include "tlm/cost_tag.h"
#include "tlm/mac_array.h"

namespace lrt::tlm {

/// @brief MacKernels of one layer on the mac_array whose address space starts at bus address
/// `base` on the bus `port` reaches (see the file comment).
class TlmMacKernels final : public golden::MacKernels {
 public:
  /// bit_scalable: the array runs the layer's conv/fc jobs (forward, input and weight
  /// gradients, per-pixel products) as precision-scalable (PFQ) jobs; the bias adds and the
  /// 16-bit L R^T stay plain.
  TlmMacKernels(::tlm::tlm_fw_transport_if<>& port, uint64_t base, uint64_t memory_bytes, bool bit_scalable,
                sc_core::sc_time& delay);

  void forward(const golden::MacOperandBits& bits, int m, int n, int k, const int16_t* a, const int16_t* b,
               int32_t* c) override;
  void fc_forward(const golden::MacOperandBits& bits, int n_i, int n_o, const int16_t* x, const int16_t* wt,
                  int32_t* out) override;
  void fc_backward_data(const golden::MacOperandBits& bits, int n_i, int n_o, const int16_t* dz, const int16_t* wt,
                        int32_t* dx) override;
  void conv_backward_data(const golden::MacOperandBits& bits, const golden::TensorShape& in, int c_out,
                          const int16_t* dz, const int16_t* wt, int32_t* dx) override;
  void weight_gradient(const golden::MacOperandBits& bits, int pairs, int n_o, int k, const int16_t* dz,
                       const int16_t* a, int32_t* g) override;
  void bias_gradient(const golden::MacOperandBits& bits, int pairs, int n_o, const int16_t* dz,
                     int32_t* db) override;
  void factor_product(const golden::MacOperandBits& bits, int n_o, int n_i, int rank, const int16_t* l,
                      const int16_t* r, int64_t* c) override;
  void bn_forward(const golden::TensorShape& shape, const int16_t* x, int shift_in,
                  const golden::BnNormalizeChannel* channels, const golden::ShiftQuantizer& yq, int32_t* xhat,
                  int16_t* y, uint8_t* clipped) override;
  void bn_backward(const golden::TensorShape& shape, const int16_t* dy, const uint8_t* clipped, const int32_t* xhat,
                   const golden::BnBackwardChannel* channels, const golden::BnBackwardSpec& spec, int16_t* dx,
                   int64_t* dgamma, int64_t* dbeta) override;

  /// The tag every job carries (ledger and layer are the sequencer's to set).
  CostTag& tag() { return *tag_; }

 private:
  // Loads A and B, runs `job` (its kernel, dimensions and widths set), reads C back; the
  // operands' sizes are the job's (mac_operands).
  void run(MacJob job, Phase phase, const int16_t* a, const int16_t* b, void* c);
  // The same with each region in pieces (byte offset in the region, data, bytes); an output
  // piece with null data is not read back.
  struct In {
    uint64_t offset;
    const void* data;
    uint64_t bytes;
  };
  struct Out {
    uint64_t offset;
    void* data;
    uint64_t bytes;
  };
  void run(MacJob job, Phase phase, std::initializer_list<In> a, std::initializer_list<In> b,
           std::initializer_list<Out> c);
  // `job` as a precision-scalable job when PFQ is on.
  MacJob scalable(MacJob job) const;
  // Copies bytes into / out of the operand memory at `offset`.
  void put(uint64_t offset, const void* src, uint64_t bytes);
  void get(uint64_t offset, void* dst, uint64_t bytes);
  void transport(::tlm::tlm_command cmd, uint64_t address, unsigned char* data, uint64_t bytes);

  ::tlm::tlm_fw_transport_if<>& port_;
  uint64_t base_;
  uint64_t memory_bytes_;
  bool bit_scalable_;
  sc_core::sc_time& delay_;
  unsigned char* dmi_ = nullptr;  // the operand memory through DMI (null: bursts)
  bool dmi_asked_ = false;
  ::tlm::tlm_generic_payload trans_;  // owns tag_
  CostTag* tag_;
};

/// @brief Operand-memory bytes the largest MAC job of `engine`'s trainable and batch-norm
/// layers needs.
uint64_t mac_memory_bytes(const golden::Engine& engine);

}  // namespace lrt::tlm
