#pragma once
// When a shared resource is free (ResourceTimeline: the busy-until reservation that makes
// loosely-timed initiators that overlap in simulated time wait for each other), and a wire that
// shows it busy or idle in a VCD trace (BusySignal).

#include <systemc>

namespace lrt::tlm {

/// @brief A module's busy/idle wire for traces: high while a reservation holds its resource.
/// A loosely-timed target learns of a reservation before it starts (now + delay), so the edges
/// are scheduled ahead on event queues.
class BusySignal : public sc_core::sc_module {
 public:
  explicit BusySignal(const sc_core::sc_module_name& name) : sc_module(name), busy_("busy", false) {
    SC_HAS_PROCESS(BusySignal);
    SC_METHOD(update);  // one process drives the wire
    sensitive << rise_ << fall_;
    dont_initialize();
  }
  /// The resource is held from now + from to now + to.
  void mark(const sc_core::sc_time& from, const sc_core::sc_time& to) {
    if (to <= from) return;
    rise_.notify(from);
    fall_.notify(to);
  }
  const sc_core::sc_signal<bool>& busy() const { return busy_; }

 private:
  void update() {
    if (rise_.default_event().triggered()) ++depth_;
    if (fall_.default_event().triggered()) --depth_;
    busy_.write(depth_ > 0);
  }
  sc_core::sc_event_queue rise_, fall_;
  int depth_ = 0;
  sc_core::sc_signal<bool> busy_;
};

/// @brief A resource that serves one request at a time. A loosely-timed request arrives at
/// its effective time now + delay; it starts when the resource is free (busy_until) and holds
/// it for `duration`; `delay` becomes the time from now until the request is done. Requests
/// are served in the order they call (deterministic under the SystemC scheduler).
class ResourceTimeline {
 public:
  /// Returns the wait before the request started (zero when the resource was free).
  sc_core::sc_time occupy(sc_core::sc_time& delay, const sc_core::sc_time& duration) {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    const sc_core::sc_time arrival = now + delay;
    const sc_core::sc_time start = arrival < busy_until_ ? busy_until_ : arrival;
    busy_until_ = start + duration;
    busy_ += duration;
    delay = busy_until_ - now;
    if (trace_ != nullptr) trace_->mark(start - now, busy_until_ - now);
    return start - arrival;
  }
  const sc_core::sc_time& busy_until() const { return busy_until_; }
  /// Time the resource was held, in all.
  const sc_core::sc_time& busy() const { return busy_; }
  /// Shows the reservations on `s` from now on (null: no trace).
  void set_trace(BusySignal* s) { trace_ = s; }

 private:
  sc_core::sc_time busy_until_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time busy_ = sc_core::SC_ZERO_TIME;
  BusySignal* trace_ = nullptr;
};

}  // namespace lrt::tlm
