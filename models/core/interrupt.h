#pragma once
// SIGINT / SIGTERM stop a long run cleanly: the handler only sets a flag; the run loop
// polls it between samples, then writes its partial summary and a resumable checkpoint.

namespace lrt {

/// @brief Installs handlers for SIGINT and SIGTERM that request a stop. Idempotent.
void install_stop_handlers();
/// @brief True once a stop was requested (by a signal or request_stop()).
bool stop_requested();
/// @brief Requests a stop, as a signal would (tests use it).
void request_stop();
/// @brief Clears the request (tests use it).
void clear_stop_request();
/// @brief The signal that requested the stop, or 0.
int stop_signal();

}  // namespace lrt
