// xbarsim_spawn_time: the wall time of one command, measured from its start to its end.
//
//   xbarsim_spawn_time LOG COMMAND [ARGS...]
//
// Starts COMMAND with its standard output and error going to LOG, waits for it and prints
// "SECONDS STATUS" (STATUS as a shell gives it: the exit code, or 128 + the signal). benchmarks/run
// times its repeated runs with it: a shell starting a command forks itself first, which on the
// benchmark machine costs 4-6 ms (page faults of the copied shell), as long as a small xbarsim run
// takes; posix_spawn starts the command without copying this small program.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: xbarsim_spawn_time LOG COMMAND [ARGS...]\n");
    return 2;
  }
  const int log = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (log < 0) {
    std::fprintf(stderr, "xbarsim_spawn_time: cannot open '%s': %s\n", argv[1], std::strerror(errno));
    return 2;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, log, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, log, STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  pid_t child = 0;
  const int error = posix_spawnp(&child, argv[2], &actions, nullptr, argv + 2, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    std::fprintf(stderr, "xbarsim_spawn_time: cannot start '%s': %s\n", argv[2], std::strerror(error));
    return 2;
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::printf("%.6f %d\n", seconds, code);
  return 0;
}
