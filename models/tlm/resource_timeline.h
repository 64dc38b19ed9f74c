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
  void rise_now() { rise_.notify(sc_core::SC_ZERO_TIME); }
  void fall_now() { fall_.notify(sc_core::SC_ZERO_TIME); }
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
  /// @brief A request that waits instead of annotating (from a thread process): enter()
  /// returns when the resource is free (no blocking holder, no annotated reservation left) and
  /// holds it until leave(), called with the time enter() returned.
  void enter() {
    for (;;) {
      const sc_core::sc_time now = sc_core::sc_time_stamp();
      if (held_)
        sc_core::wait(freed_);
      else if (busy_until_ > now)
        sc_core::wait(busy_until_ - now);
      else
        break;
    }
    held_ = true;
    if (trace_ != nullptr) trace_->rise_now();
  }
  void leave(const sc_core::sc_time& started) {
    busy_until_ = sc_core::sc_time_stamp();
    busy_ += busy_until_ - started;
    held_ = false;
    freed_.notify();
    if (trace_ != nullptr) trace_->fall_now();
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
  bool held_ = false;      // a blocking request holds the resource (enter .. leave)
  sc_core::sc_event freed_;
};

}  // namespace lrt::tlm
