// The lrtsim executable: the simulation top. libsystemc's own main() would print the
// SystemC banner before sc_main runs; ours silences it (results go to stdout, and a
// banner there would corrupt machine-read output) and then enters SystemC as usual.
#include <cstdlib>

#include <systemc>

#include "cli/commands.h"

int sc_main(int argc, char** argv) { return lrt::cli::run_cli(argc, argv); }

int main(int argc, char** argv) {
  ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", /*overwrite=*/0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
