#pragma once
// Who pays for a transaction, carried by the transaction itself (a generic-payload
// extension, IEEE 1666-2011 §14.2): the initiator names the phase and the layer, and every
// target that spends energy on the payload charges it to that (phase, component) of the
// ledger. So the ledger is written by the modules that spend, at the moment they spend, and
// no one reconstructs energy afterwards from counter snapshots. A payload without the
// extension (a foreign initiator, a test) is served the same and charged nowhere.

#include <tlm>

#include "device/energy.h"
#include "tlm/ledger.h"

namespace lrt::tlm {

/// @brief The extension (see the file comment). One object per initiator context, set on its
/// reusable payload once; the phase changes as the sequencer moves on.
class CostTag final : public ::tlm::tlm_extension<CostTag> {
 public:
  Ledger* ledger = nullptr;  ///< null: charge nowhere
  Phase phase = Phase::kForward;
  int layer = -1;  ///< network layer index, -1: none

  void charge(Component c, device::EnergyUnits e) const {
    if (ledger != nullptr && e != 0) ledger->add_energy(phase, c, e, layer);
  }
  ::tlm::tlm_extension_base* clone() const override { return new CostTag(*this); }
  void copy_from(const ::tlm::tlm_extension_base& other) override { *this = static_cast<const CostTag&>(other); }
};

/// @brief The tag a payload carries, or null.
inline const CostTag* cost_tag(const ::tlm::tlm_generic_payload& t) { return t.get_extension<CostTag>(); }

/// @brief Charges `e` to the payload's tag, if it has one.
inline void charge(const ::tlm::tlm_generic_payload& t, Component c, device::EnergyUnits e) {
  if (const CostTag* tag = cost_tag(t)) tag->charge(c, e);
}

}  // namespace lrt::tlm
