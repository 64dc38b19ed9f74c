// Interoperability with TLM-2.0 initiators nobody here wrote (issue 21, item 7): Accellera's
// example traffic generator with its lt_initiator, lt_dmi_initiator or temporally decoupled
// lt_td_initiator (built from the sources Debian's libsystemc-doc installs) drives, through the
// accelerator's bus, the SRAM buffer or an RRAM array. A base-protocol checker sits on each
// side of the bus (initiator -> checker -> bus -> checker -> target) and checks every payload
// against IEEE 1666-2011 (base_protocol_checker.h); any violation fails the run.
//
//   test_tlm_interop INITIATOR TARGET     INITIATOR: lt | lt_dmi | lt_td
//                                         TARGET: sram | rram (8-bit weights: every byte fits)
//                                                 | rram6 (6-bit weights: most bytes refused)
//
// The generator writes 16 words at each of two bases (data: the address, then its complement)
// and reads them back, checking each read itself (REPORT_FATAL on an error response or a wrong
// word). Exit 0 when no DMI request the targets hinted at was refused and: sram / rram — no fatal report, the run finished, and the target holds every
// word written; rram6 — the target stores exactly the words whose bytes all fit the 6-bit range
// and nothing else, and the generator reported a fatal for each refused write (error response).
#include <systemc>
#include <tlm>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#define REPORT_DEFINE_GLOBALS  // the examples' reporting switches live in the main file
#include "reporting.h"
#include "lt_dmi_initiator.h"
#include "lt_initiator.h"
#include "lt_td_initiator.h"
#include "traffic_generator.h"
#include "base_protocol_checker.h"
#include "tlm/bus.h"
#include "tlm/rram_array.h"
#include "tlm/sram_buffer.h"

namespace {

const sc_core::sc_time kClock(10, sc_core::SC_NS);
constexpr uint64_t kWindow = 0x100;  // bytes the generator touches from each base: 2 x 16 x 4 = 0x80

int fail(const std::string& what) {
  std::fprintf(stderr, "test_tlm_interop: %s\n", what.c_str());
  return 1;
}

// lt_dmi_initiator reports a DMI request refused after a response that carried the DMI hint only
// as information: counted here, since the hint promised a grant.
unsigned g_dmi_refused_after_hint = 0;
void count_reports(const sc_core::sc_report& r, const sc_core::sc_actions& actions) {
  if (std::strstr(r.get_msg(), "DMI access refused even though dmi_allowed was set") != nullptr)
    ++g_dmi_refused_after_hint;
  sc_core::sc_report_handler::default_handler(r, actions);
}

// The traffic generator's word at bus address a of base k (k = 1: the complement).
uint32_t word_at(uint64_t a, int k) { return k == 0 ? static_cast<uint32_t>(a) : ~static_cast<uint32_t>(a); }

}  // namespace

int sc_main(int argc, char** argv) {
  if (argc != 3) return fail("usage: test_tlm_interop lt|lt_dmi|lt_td sram|rram|rram6");
  const std::string ini = argv[1], tgt = argv[2];
  // The examples report through SC_REPORT_*: keep going after a fatal, and count them.
  sc_core::sc_report_handler::set_actions(sc_core::SC_FATAL, sc_core::SC_DISPLAY);
  sc_core::sc_report_handler::set_actions(sc_core::SC_ERROR, sc_core::SC_DISPLAY);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);  // counted, not shown
  sc_core::sc_report_handler::set_handler(count_reports);
  REPORT_ENABLE_ALL_REPORTING();

  lrt::tlm::bus bus("bus", 1, kClock);
  lrt::tlm::testing::base_protocol_checker check_initiator("check_initiator"), check_target("check_target");
  check_initiator.out.bind(bus.in);
  bus.out.bind(check_target.in);
  const uint64_t base = tgt == "sram" ? lrt::tlm::kBusSramBase : lrt::tlm::kBusRramBase;
  std::unique_ptr<lrt::tlm::sram_buffer> sram;
  std::unique_ptr<lrt::tlm::rram_array> rram;
  if (tgt == "sram") {
    lrt::device::SramSpecs s;
    s.capacity_bits = 8 * kWindow;
    sram = std::make_unique<lrt::tlm::sram_buffer>("sram", s, kClock);
    sram->map("window", 8 * kWindow);
    check_target.out.bind(sram->in);
  } else if (tgt == "rram" || tgt == "rram6") {
    lrt::device::RramArraySpecs s;
    s.weight_bits = tgt == "rram" ? 8 : 6;
    s.bits_per_cell = 1;
    s.cells = kWindow * s.weight_bits;  // one byte-wide word per address
    s.max_pulses = 16;
    s.endurance.distribution = lrt::device::EnduranceDistribution::kFixed;
    rram = std::make_unique<lrt::tlm::rram_array>("rram", s, 1, 0, kClock);
    check_target.out.bind(rram->in);
  } else {
    return fail("unknown target " + tgt);
  }
  bus.map(tgt, base, kWindow, 0);

  sc_core::sc_fifo<tlm::tlm_generic_payload*> requests, responses;
  traffic_generator gen("traffic_generator", 101, base, base + 0x40, 1);
  gen.request_out_port(requests);
  gen.response_in_port(responses);
  std::unique_ptr<sc_core::sc_module> initiator;
  auto wire = [&](auto& i) {
    i.request_in_port(requests);
    i.response_out_port(responses);
    i.initiator_socket(check_initiator.in);
  };
  if (ini == "lt") {
    auto i = std::make_unique<lt_initiator>("lt_initiator", 101);
    wire(*i);
    initiator = std::move(i);
  } else if (ini == "lt_dmi") {
    auto i = std::make_unique<lt_dmi_initiator>("lt_dmi_initiator", 101);
    wire(*i);
    initiator = std::move(i);
  } else if (ini == "lt_td") {
    auto i = std::make_unique<lt_td_initiator>("lt_td_initiator", 101);
    wire(*i);
    initiator = std::move(i);
  } else {
    return fail("unknown initiator " + ini);
  }

  sc_core::sc_start();
  const unsigned fatals = sc_core::sc_report_handler::get_count(sc_core::SC_FATAL);
  const unsigned errors = sc_core::sc_report_handler::get_count(sc_core::SC_ERROR);
  if (sc_core::sc_time_stamp() == sc_core::SC_ZERO_TIME) return fail("no simulated time passed");

  // What the target holds, word by word, against what the generator wrote.
  unsigned stored = 0, refused_writes = 0, wrong = 0;
  for (int k = 0; k < 2; ++k)
    for (uint64_t w = 0; w < 16; ++w) {
      const uint64_t off = 0x40 * static_cast<uint64_t>(k) + 4 * w;
      const uint32_t want = word_at(base + off, k);
      unsigned char got[4] = {0, 0, 0, 0};
      if (sram) {
        sram->buffer().peek(off, got, 4);
      } else {
        for (int b = 0; b < 4; ++b) got[b] = static_cast<unsigned char>(rram->array().peek_word(off + static_cast<uint64_t>(b)));
      }
      uint32_t have = 0;
      std::memcpy(&have, got, 4);  // both targets store little endian, as the generator (x86)
      bool fits = true;
      if (tgt == "rram6")
        for (int b = 0; b < 4; ++b) {
          const auto v = static_cast<int8_t>(static_cast<uint8_t>(want >> (8 * b)));
          fits = fits && v >= -32 && v <= 31;
        }
      if (fits) {
        stored += have == want;
        wrong += have != want;
      } else {
        ++refused_writes;
        wrong += have != 0;  // a refused burst changes nothing
      }
    }
  std::printf("test_tlm_interop %s -> %s: %u words stored, %u refused, %u wrong; %u fatal, %u error reports; "
              "%u DMI refusals after a hint; %s\n",
              ini.c_str(), tgt.c_str(), stored, refused_writes, wrong, fatals, errors, g_dmi_refused_after_hint,
              sc_core::sc_time_stamp().to_string().c_str());
  for (const auto* c : {&check_initiator, &check_target})
    std::printf("%s: %llu b_transport, %llu transport_dbg, %llu DMI requests, %llu invalidations checked, %zu "
                "violations\n%s",
                c->name(), static_cast<unsigned long long>(c->transports()),
                static_cast<unsigned long long>(c->debug_calls()), static_cast<unsigned long long>(c->dmi_requests()),
                static_cast<unsigned long long>(c->invalidations()), c->violations().size(), c->report().c_str());
  if (!check_initiator.violations().empty() || !check_target.violations().empty())
    return fail("a socket broke a base-protocol rule (IEEE 1666-2011)");
  if (check_initiator.transports() == 0 || check_target.transports() == 0) return fail("a checker saw no traffic");
  if (wrong != 0) return fail("the target holds words the generator did not write");
  if (g_dmi_refused_after_hint != 0) return fail("a response's DMI hint promised a grant the target refused");
  // What the initiator was answered: every read OK; every write OK, except (rram6) exactly one
  // TLM_GENERIC_ERROR_RESPONSE per refused word, the documented answer to a code outside the
  // weight range (docs/device.md), and no other error status.
  const auto answered = [&](::tlm::tlm_command c, ::tlm::tlm_response_status s) {
    return check_initiator.responses(c, s);
  };
  const uint64_t reads_ok = answered(tlm::TLM_READ_COMMAND, tlm::TLM_OK_RESPONSE);
  const uint64_t writes_ok = answered(tlm::TLM_WRITE_COMMAND, tlm::TLM_OK_RESPONSE);
  const uint64_t writes_refused = answered(tlm::TLM_WRITE_COMMAND, tlm::TLM_GENERIC_ERROR_RESPONSE);
  std::printf("responses: %llu reads OK, %llu writes OK, %llu writes TLM_GENERIC_ERROR_RESPONSE\n",
              static_cast<unsigned long long>(reads_ok), static_cast<unsigned long long>(writes_ok),
              static_cast<unsigned long long>(writes_refused));
  if (reads_ok + writes_ok + writes_refused != check_initiator.transports())
    return fail("a response other than OK, or a read or another command not OK");
  if (writes_refused != (tgt == "rram6" ? refused_writes : 0u))
    return fail("the refused writes were not answered exactly with TLM_GENERIC_ERROR_RESPONSE");
  if (tgt != "rram6") {
    if (fatals != 0 || errors != 0) return fail("the generator's own checks failed");
    if (stored != 32) return fail("not every word was stored");
    return 0;
  }
  if (refused_writes == 0 || stored == 0) return fail("the 6-bit case should both store and refuse words");
  // Each refused write answered an error response, which the generator reports as fatal; its
  // read-back of that word then fails its data check too (a second fatal) unless by chance.
  if (fatals < refused_writes) return fail("fewer fatal reports than refused writes");
  return 0;
}
