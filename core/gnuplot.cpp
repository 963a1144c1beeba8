#include "core/gnuplot.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace xbarsim {

bool gnuplot_available() {
  const char* path = std::getenv("PATH");
  std::string_view directories = path ? path : "/usr/bin:/bin";
  while (!directories.empty()) {
    const std::size_t colon = directories.find(':');
    const std::string_view directory = directories.substr(0, colon);
    const std::filesystem::path candidate = std::filesystem::path(directory.empty() ? "." : directory) / "gnuplot";
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) break;
    directories.remove_prefix(colon + 1);
  }
  return false;
}

void run_gnuplot_script(const std::filesystem::path& script) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::filesystem::path directory = script.parent_path().empty() ? "." : script.parent_path();
  posix_spawn_file_actions_addchdir_np(&actions, directory.c_str());
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  std::string program = "gnuplot", file = script.filename().string();
  char* arguments[] = {program.data(), file.data(), nullptr};
  pid_t child = 0;
  const int spawn_error = posix_spawnp(&child, "gnuplot", &actions, nullptr, arguments, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) throw std::runtime_error(fmt::format("cannot run gnuplot: {}", std::strerror(spawn_error)));
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(fmt::format("gnuplot failed on '{}'", script.string()));
}

std::string gnuplot_string(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  return quoted + "\"";
}

}  // namespace xbarsim
