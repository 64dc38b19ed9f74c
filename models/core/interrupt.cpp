#include "core/interrupt.h"

#include <csignal>

namespace lrt {

namespace {
volatile std::sig_atomic_t g_stop_signal = 0;  // the only state a handler may touch

extern "C" void on_stop_signal(int sig) { g_stop_signal = sig; }
}  // namespace

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking read returns, and the loop sees the flag
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() { return g_stop_signal != 0; }
void request_stop() { g_stop_signal = -1; }
void clear_stop_request() { g_stop_signal = 0; }
int stop_signal() { return g_stop_signal > 0 ? static_cast<int>(g_stop_signal) : 0; }

}  // namespace lrt
