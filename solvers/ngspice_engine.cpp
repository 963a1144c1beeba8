#include "solvers/ngspice_engine.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <ngspice/sharedspice.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include "core/raw_file.h"

namespace xbarsim {

struct NgspiceLibrary {
  decltype(&ngSpice_Init) initialise = nullptr;
  decltype(&ngSpice_Command) command = nullptr;
  decltype(&ngSpice_AllPlots) all_plots = nullptr;
  decltype(&ngSpice_AllVecs) all_vectors = nullptr;
  decltype(&ngGet_Vec_Info) vector_info = nullptr;
};

namespace {

// Vector types of ngspice's `enum simvartypes` (ngspice/sim.h) that our Quantity distinguishes.
constexpr int kNgspiceTimeType = 1;
constexpr int kNgspiceVoltageType = 3;
constexpr int kNgspiceCurrentType = 4;

constexpr std::size_t kQuotedLineLimit = 20;  // ngspice lines quoted in an error message, the last ones

template <typename Function>
void resolve(void* handle, const std::string& library, const char* symbol, Function& function) {
  void* address = dlsym(handle, symbol);
  if (!address)
    throw NgspiceUnavailable(fmt::format("'{}' is not a usable ngspice shared library: it lacks {}", library, symbol));
  function = reinterpret_cast<Function>(address);
}

const NgspiceLibrary& load_library(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<NgspiceLibrary>> loaded;
  const std::lock_guard lock(mutex);
  if (const auto found = loaded.find(name); found != loaded.end()) return *found->second;
  // Loaded for good: children forked later inherit this copy, never initialised in this process.
  void* handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    throw NgspiceUnavailable(fmt::format(
        "cannot load the ngspice shared library '{}' ({}); install it with `sudo apt-get install libngspice0` "
        "(Debian/Ubuntu package of ngspice's shared library)",
        name, dlerror()));
  auto library = std::make_unique<NgspiceLibrary>();
  resolve(handle, name, "ngSpice_Init", library->initialise);
  resolve(handle, name, "ngSpice_Command", library->command);
  resolve(handle, name, "ngSpice_AllPlots", library->all_plots);
  resolve(handle, name, "ngSpice_AllVecs", library->all_vectors);
  resolve(handle, name, "ngGet_Vec_Info", library->vector_info);
  return *loaded.emplace(name, std::move(library)).first->second;
}

// ---- The pipe between child and parent: frames of a tag byte, a 64-bit length and the bytes. ----

enum class FrameTag : char {
  output_line = 'o',  // one line ngspice printed, with its "stdout " / "stderr " prefix
  results = 'r',      // the results as a binary raw file (empty when there were no analyses)
  failure = 'f',      // why the run failed (ngspice's lines came before)
};

bool write_all(int descriptor, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(descriptor, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

void send_frame(int descriptor, FrameTag tag, std::string_view payload) {
  char header[1 + sizeof(std::uint64_t)];
  header[0] = static_cast<char>(tag);
  const std::uint64_t length = payload.size();
  std::memcpy(header + 1, &length, sizeof length);
  if (!write_all(descriptor, header, sizeof header) || !write_all(descriptor, payload.data(), payload.size()))
    ::_exit(1);  // the parent is gone: nobody is left to report to
}

enum class ReadOutcome { complete, ended, timed_out };

// Reads exactly `size` bytes, waiting at most until `deadline` (none when it is nullopt).
ReadOutcome read_exactly(int descriptor, char* data, std::size_t size,
                         std::optional<std::chrono::steady_clock::time_point> deadline) {
  while (size > 0) {
    if (deadline) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return ReadOutcome::timed_out;
      pollfd wait_for{descriptor, POLLIN, 0};
      const int ready = ::poll(&wait_for, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
      if (ready < 0 && errno != EINTR) return ReadOutcome::ended;
      if (ready <= 0) continue;
    }
    const ssize_t got = ::read(descriptor, data, size);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return ReadOutcome::ended;
    data += got;
    size -= static_cast<std::size_t>(got);
  }
  return ReadOutcome::complete;
}

// ---- ngspice's messages ----

constexpr std::string_view kStderrPrefix = "stderr ";

bool contains_ignoring_case(std::string_view text, std::string_view word) {
  return std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         }) != text.end();
}

// True for the stderr lines by which ngspice 39 reports an error while returning 0 from the call:
// "Error: unknown subckt: ...", "Simulation interrupted due to error!", "foo: no such command
// available in ngspice", "Command 'source' failed:".
bool is_error_line(std::string_view line) {
  if (!line.starts_with(kStderrPrefix)) return false;
  const std::string_view message = line.substr(kStderrPrefix.size());
  return contains_ignoring_case(message.substr(0, 5), "error") || contains_ignoring_case(message, "error:") ||
         contains_ignoring_case(message, "due to error") || contains_ignoring_case(message, "no such command") ||
         contains_ignoring_case(message, "' failed");
}

// Lines that say nothing about the cause: convergence-aid progress and the library's own farewell.
bool is_progress_line(std::string_view message) {
  return message.starts_with("Note:") || message.starts_with("Trying gmin") || message.starts_with("Supplies reduced") ||
         message.starts_with("Warning: Further gmin") || contains_ignoring_case(message, "cannot recover and awaits");
}

// ngspice's stderr lines worth quoting in an error message, each on its own indented line.
std::string quoted_messages(const std::vector<std::string>& output) {
  std::vector<std::string_view> messages;
  for (const std::string& line : output) {
    if (!std::string_view(line).starts_with(kStderrPrefix)) continue;
    const std::string_view message = std::string_view(line).substr(kStderrPrefix.size());
    if (!message.empty() && !is_progress_line(message)) messages.push_back(message);
  }
  std::string quoted;
  const std::size_t first = messages.size() > kQuotedLineLimit ? messages.size() - kQuotedLineLimit : 0;
  for (std::size_t index = first; index < messages.size(); ++index) quoted += fmt::format("\n  ngspice: {}", messages[index]);
  return quoted;
}

// ---- The child process ----

struct PlotDescription {
  std::string name;   // "Operating Point", ...
  std::string title;  // the netlist's title line
  std::string scale;  // ngspice's name of the scale vector
};

// What the callbacks learn while ngspice runs in the child.
struct ChildSession {
  int pipe = -1;
  bool error_printed = false;
  bool exit_requested = false;
  int exit_status = 0;
  std::map<std::string, PlotDescription> plots;  // by ngspice's plot type name: "op1", "dc1", "tran1"
};

int forward_output(char* text, int, void* user) {
  ChildSession& session = *static_cast<ChildSession*>(user);
  const std::string_view line(text ? text : "");
  send_frame(session.pipe, FrameTag::output_line, line);
  session.error_printed = session.error_printed || is_error_line(line);
  return 0;
}

int ignore_status(char*, int, void*) { return 0; }

// Replaces exit(): ngspice calls it on `quit` and when it cannot recover from an error.
int note_exit(int status, NG_BOOL, NG_BOOL, int, void* user) {
  ChildSession& session = *static_cast<ChildSession*>(user);
  session.exit_requested = true;
  session.exit_status = status;
  return 0;
}

// Called when an analysis creates its plot: the only place the plot's display name and scale are told.
int describe_plot(pvecinfoall plot, int, void* user) {
  ChildSession& session = *static_cast<ChildSession*>(user);
  PlotDescription description{plot->name ? plot->name : "", plot->title ? plot->title : "", ""};
  for (int index = 0; index < plot->veccount; ++index)
    if (plot->vecs[index]->pdvec == plot->vecs[index]->pdvecscale) description.scale = plot->vecs[index]->vecname;
  session.plots[plot->type ? plot->type : ""] = std::move(description);
  return 0;
}

// ngspice keeps `in`, `v1#branch`, `v-sweep` in memory and writes `v(in)`, `i(v1)`, `v(v-sweep)` to raw files.
std::string raw_file_name(std::string_view name, int type) {
  if (type == kNgspiceVoltageType) return fmt::format("v({})", name);
  if (type == kNgspiceCurrentType) {
    if (name.ends_with("#branch")) name.remove_suffix(std::string_view("#branch").size());
    return fmt::format("i({})", name);
  }
  return std::string(name);
}

Quantity quantity_of(int type) {
  switch (type) {
    case kNgspiceTimeType: return Quantity::time;
    case kNgspiceVoltageType: return Quantity::voltage;
    case kNgspiceCurrentType: return Quantity::current;
    default: return Quantity::other;
  }
}

std::vector<std::string> names_in(char** list) {
  std::vector<std::string> names;
  for (; list && *list; ++list) names.emplace_back(*list);
  return names;
}

// Copies every plot an analysis made, oldest first (ngspice lists the newest first, vectors too).
Waveforms collect_results(const NgspiceLibrary& library, const ChildSession& session) {
  Waveforms waveforms;
  std::vector<std::string> plot_types = names_in(library.all_plots());
  std::reverse(plot_types.begin(), plot_types.end());
  for (const std::string& type : plot_types) {
    const auto description = session.plots.find(type);
    if (description == session.plots.end()) continue;  // "const" and plots no analysis made
    std::vector<std::string> vector_names = names_in(library.all_vectors(const_cast<char*>(type.c_str())));
    std::reverse(vector_names.begin(), vector_names.end());
    const bool operating_point = type.starts_with("op");
    const auto scale = std::find(vector_names.begin(), vector_names.end(), description->second.scale);
    if (!operating_point && scale != vector_names.end()) std::rotate(vector_names.begin(), scale, scale + 1);
    std::vector<PlotColumn> columns;
    for (const std::string& name : vector_names) {
      std::string qualified = type + "." + name;
      const pvector_info info = library.vector_info(qualified.data());  // a static structure: copy at once
      if (!info) throw std::runtime_error(fmt::format("ngspice lists vector '{}' but does not return it", qualified));
      if (!info->v_realdata)
        throw std::runtime_error(fmt::format("vector '{}' of '{}' is complex; only real analyses (op, dc, tran) are supported",
                                             name, description->second.name));
      columns.push_back({raw_file_name(name, info->v_type), quantity_of(info->v_type),
                         std::vector<double>(info->v_realdata, info->v_realdata + info->v_length)});
    }
    waveforms.plots.emplace_back(description->second.title, description->second.name, false, columns);
  }
  return waveforms;
}

// Keeps only the results pipe (as descriptor 3) and sends stdin/stdout/stderr to /dev/null, so the
// child holds no other run's pipe open and prints nothing into the caller's output.
int isolate_descriptors(int results_pipe) {
  constexpr int kResultsDescriptor = 3;
  if (results_pipe != kResultsDescriptor && ::dup2(results_pipe, kResultsDescriptor) < 0) ::_exit(1);
  ::close_range(kResultsDescriptor + 1, ~0U, 0);
  const int null_device = ::open("/dev/null", O_RDWR);
  if (null_device >= 0) {
    for (int standard = 0; standard <= 2; ++standard) ::dup2(null_device, standard);
    ::close(null_device);
  }
  return kResultsDescriptor;
}

[[noreturn]] void run_child(const NgspiceLibrary& library, const std::filesystem::path& netlist, int results_pipe) {
  ChildSession session;
  session.pipe = isolate_descriptors(results_pipe);
  try {
    library.initialise(forward_output, ignore_status, note_exit, nullptr, describe_plot, nullptr, &session);
    auto command = [&](const std::string& text) {
      const int status = library.command(const_cast<char*>(text.c_str()));
      if (status != 0 || session.exit_requested)
        throw std::runtime_error(fmt::format("ngspice stopped with a fatal error during `{}`", text));
      if (session.error_printed) throw std::runtime_error(fmt::format("ngspice reported an error during `{}`", text));
    };
    command("set strict_errorhandling");
    command(fmt::format("source '{}'", netlist.string()));
    command("run");
    std::ostringstream raw;
    write_raw(raw, collect_results(library, session), {RawFormat::binary, "ngspice shared library run"});
    send_frame(session.pipe, FrameTag::results, raw.str());
  } catch (const std::exception& error) {
    send_frame(session.pipe, FrameTag::failure, error.what());
  }
  ::_exit(0);  // no atexit handlers or static destructors of a library that may be in any state
}

}  // namespace

NgspiceEngine::NgspiceEngine(NgspiceSettings settings)
    : settings_(std::move(settings)), library_(&load_library(settings_.library)) {}

Waveforms NgspiceEngine::run(const std::filesystem::path& netlist) const { return start(netlist).wait(); }

NgspiceRun NgspiceEngine::start(const std::filesystem::path& netlist) const {
  const std::filesystem::path absolute = std::filesystem::absolute(netlist);
  if (absolute.string().find('\'') != std::string::npos)
    throw NgspiceError(fmt::format("{}: ngspice cannot source a path that contains a single quote", netlist.string()), {});
  int pipe_ends[2];
  if (::pipe2(pipe_ends, O_CLOEXEC) != 0)
    throw NgspiceError(fmt::format("cannot create a pipe for ngspice: {}", std::strerror(errno)), {});
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    const int error = errno;
    ::close(pipe_ends[0]);
    ::close(pipe_ends[1]);
    throw NgspiceError(fmt::format("cannot start an ngspice process: {}", std::strerror(error)), {});
  }
  if (child == 0) {
    // Die with the caller, even when it is killed without a chance to clean up.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(1);
    ::close(pipe_ends[0]);
    run_child(*library_, absolute, pipe_ends[1]);
  }
  ::close(pipe_ends[1]);
  return NgspiceRun(netlist, child, pipe_ends[0], settings_.timeout);
}

NgspiceRun::NgspiceRun(std::filesystem::path netlist, pid_t process_id, int results_pipe, std::chrono::milliseconds timeout)
    : netlist_(std::move(netlist)),
      started_(std::chrono::steady_clock::now()),
      timeout_(timeout),
      process_id_(process_id),
      results_pipe_(results_pipe) {}

NgspiceRun::NgspiceRun(NgspiceRun&& other) noexcept
    : netlist_(std::move(other.netlist_)),
      started_(other.started_),
      timeout_(other.timeout_),
      process_id_(std::exchange(other.process_id_, -1)),
      results_pipe_(std::exchange(other.results_pipe_, -1)) {}

NgspiceRun::~NgspiceRun() {
  if (results_pipe_ >= 0) ::close(results_pipe_);
  if (process_id_ > 0) {
    ::kill(process_id_, SIGKILL);
    while (::waitpid(process_id_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

Waveforms NgspiceRun::wait() {
  if (process_id_ <= 0) throw std::logic_error("NgspiceRun::wait() called twice");
  std::vector<std::string> output;
  std::optional<std::string> results, failure;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (timeout_.count() > 0) deadline = started_ + timeout_;
  ReadOutcome outcome = ReadOutcome::complete;
  while (outcome == ReadOutcome::complete) {
    char header[1 + sizeof(std::uint64_t)];
    outcome = read_exactly(results_pipe_, header, sizeof header, deadline);
    if (outcome != ReadOutcome::complete) break;
    std::uint64_t length = 0;
    std::memcpy(&length, header + 1, sizeof length);
    std::string payload(length, '\0');
    outcome = read_exactly(results_pipe_, payload.data(), payload.size(), deadline);
    if (outcome != ReadOutcome::complete) break;
    switch (static_cast<FrameTag>(header[0])) {
      case FrameTag::output_line: output.push_back(std::move(payload)); break;
      case FrameTag::results: results = std::move(payload); break;
      case FrameTag::failure: failure = std::move(payload); break;
    }
  }
  if (outcome == ReadOutcome::timed_out) ::kill(process_id_, SIGKILL);
  ::close(std::exchange(results_pipe_, -1));
  int status = 0;
  while (::waitpid(process_id_, &status, 0) < 0 && errno == EINTR) {
  }
  process_id_ = -1;

  const std::string netlist = netlist_.string();
  auto fail = [&](const std::string& reason) -> NgspiceError {
    std::string message = fmt::format("{}: {}{}", netlist, reason, quoted_messages(output));
    return NgspiceError(message, std::move(output));
  };
  if (outcome == ReadOutcome::timed_out)
    throw fail(fmt::format("ngspice did not finish within {:.3g} s, so its process was killed",
                           std::chrono::duration<double>(timeout_).count()));
  if (WIFSIGNALED(status))
    throw fail(fmt::format("the ngspice process died from signal {} ({}); xbarsim itself is unaffected", WTERMSIG(status),
                           sigdescr_np(WTERMSIG(status))));
  if (failure) throw fail(*failure);
  if (!results)
    throw fail(fmt::format("the ngspice process ended (exit status {}) without sending results",
                           WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  if (results->empty()) return {};
  return parse_raw(*results, "ngspice results for " + netlist);
}

}  // namespace xbarsim
