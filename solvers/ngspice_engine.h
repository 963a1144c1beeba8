// NgspiceEngine: runs a netlist in ngspice, through its shared library, and returns the results as
// our own Waveforms. It is the reference `xbarsim check` and the tests compare our engine against.
//
// libngspice keeps its whole state in globals, is not re-entrant and, after a fatal error, must be
// reloaded. So every run happens in a forked child process: the library is loaded once in this
// process (dlopen of `libngspice.so.0`, never initialised here), and each child starts from that
// pristine copy, calls ngSpice_Init, sources the netlist, runs its analyses synchronously and
// streams what ngspice printed and the results (as a binary raw file) back through a pipe. A crash,
// an abort or ngspice's controlled_exit ends the child, never the caller, and several runs can go
// on at the same time (one child each).
//
// Results follow ngspice's own raw-file output (`ngspice -b -r`): plots in the order the analyses
// ran, named "Operating Point", "DC transfer characteristic", "Transient Analysis"; vectors
// `v(node)`, `i(vsource)` (from `vsource#branch`), `v(v-sweep)`, `time`, the scale first.
//
// Errors. ngSpice_Command returns 0 for most errors (unknown subcircuit, unknown command, `run`
// without a circuit), so the child sets `strict_errorhandling` and also reads the lines ngspice
// prints on stderr: an error line, a non-zero return or a controlled_exit fails the run with an
// NgspiceError that quotes ngspice's messages.
//
//   NgspiceEngine ngspice;                          // throws NgspiceUnavailable without libngspice
//   Waveforms reference = ngspice.run("rc.cir");    // throws NgspiceError
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/waveforms.h"

namespace xbarsim {

// ngspice rejected the netlist, failed to simulate it, or its process died. what() names the
// netlist and the reason and quotes ngspice's error lines; ngspice_output() holds everything it printed.
class NgspiceError : public std::runtime_error {
 public:
  NgspiceError(const std::string& message, std::vector<std::string> ngspice_output)
      : std::runtime_error(message), ngspice_output_(std::move(ngspice_output)) {}
  const std::vector<std::string>& ngspice_output() const { return ngspice_output_; }

 private:
  std::vector<std::string> ngspice_output_;  // "stdout ..." / "stderr ..." lines, as ngspice sent them
};

// The shared library cannot be loaded; what() says how to install it.
class NgspiceUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NgspiceSettings {
  std::string library = "libngspice.so.0";  // file name (searched like dlopen does) or path
  // Longest a run may take; past it the child is killed and the run fails. Zero: no limit.
  std::chrono::milliseconds timeout{0};
};

class NgspiceRun;
struct NgspiceLibrary;  // the entry points of the loaded library

class NgspiceEngine {
 public:
  // Loads the library (once per process and library name). Throws NgspiceUnavailable.
  explicit NgspiceEngine(NgspiceSettings settings = {});

  // Runs every analysis of the netlist in a fresh ngspice process and waits for the results.
  Waveforms run(const std::filesystem::path& netlist) const;
  // Starts the run and returns at once; NgspiceRun::wait() collects the results. The child is
  // killed when the thread that started it ends (PR_SET_PDEATHSIG), so start and wait in one thread.
  NgspiceRun start(const std::filesystem::path& netlist) const;

  const std::string& library() const { return settings_.library; }

 private:
  NgspiceSettings settings_;
  const NgspiceLibrary* library_;
};

// One ngspice child process. Destroying a run that was not waited for kills the child.
class NgspiceRun {
 public:
  NgspiceRun(NgspiceRun&& other) noexcept;
  NgspiceRun& operator=(NgspiceRun&&) = delete;
  NgspiceRun(const NgspiceRun&) = delete;
  NgspiceRun& operator=(const NgspiceRun&) = delete;
  ~NgspiceRun();

  // Blocks until the child ends (or the timeout kills it). Returns its results or throws NgspiceError. Call once.
  Waveforms wait();
  pid_t process_id() const { return process_id_; }

 private:
  friend class NgspiceEngine;
  NgspiceRun(std::filesystem::path netlist, pid_t process_id, int results_pipe, std::chrono::milliseconds timeout);

  std::filesystem::path netlist_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::milliseconds timeout_;
  pid_t process_id_ = -1;
  int results_pipe_ = -1;
};

}  // namespace xbarsim
