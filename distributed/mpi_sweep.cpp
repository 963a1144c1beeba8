#include "distributed/mpi_sweep.h"

#include <mpi.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>

namespace xbarsim::distributed {
namespace {

constexpr int kResultTag = 1;      // worker -> rank 0: a points.jsonl record ("" when asking for the first point)
constexpr int kWorkTag = 2;        // rank 0 -> worker: a point number, -1 to stop
constexpr int kStatisticsTag = 3;  // worker -> rank 0: its SweepStatistics at the end

constexpr int kStatisticsCount = 6;

void check(int status, const char* what) {
  if (status != MPI_SUCCESS) throw std::runtime_error(std::string("MPI error in ") + what);
}

}  // namespace

bool launched_as_several_ranks() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"}) {
    const char* value = std::getenv(variable);
    if (value && std::atoi(value) > 1) return true;
  }
  return false;
}

MpiWorld::MpiWorld() {
  check(MPI_Init(nullptr, nullptr), "MPI_Init");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiWorld::~MpiWorld() { MPI_Finalize(); }

std::uint64_t MpiWorld::broadcast(std::uint64_t value) const {
  unsigned long long buffer = value;
  check(MPI_Bcast(&buffer, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD), "MPI_Bcast");
  return buffer;
}

bool MpiWorld::all(bool succeeded) const {
  int mine = succeeded ? 1 : 0, everyone = 0;
  check(MPI_Allreduce(&mine, &everyone, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD), "MPI_Allreduce");
  return everyone != 0;
}

void MpiWorld::abort(int exit_status) const {
  MPI_Abort(MPI_COMM_WORLD, exit_status);
  std::abort();
}

SweepStatistics run_sweep_mpi(const MpiWorld& world, const NetlistText& netlist, const SweepPlan& plan, const SweepSettings& settings,
                              SweepResultFiles* files, const SweepDescription& description,
                              const std::function<void(const SweepProgress&)>& progress) {
  SweepStatistics statistics;
  if (world.rank() != 0) {
    PointEvaluator evaluator(netlist, plan, settings, description.measurement_names);
    std::string record;
    while (true) {
      check(MPI_Send(record.data(), static_cast<int>(record.size()), MPI_CHAR, 0, kResultTag, MPI_COMM_WORLD), "MPI_Send");
      long index = -1;
      check(MPI_Recv(&index, 1, MPI_LONG, 0, kWorkTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
      if (index < 0) break;
      record = point_json_line(evaluator.evaluate(index), description);
    }
    const SweepStatistics& own = evaluator.statistics();
    const double numbers[kStatisticsCount] = {static_cast<double>(own.points), static_cast<double>(own.reused_analyses),
                                              static_cast<double>(own.failed_points), own.elaborate_seconds, own.setup_seconds,
                                              own.analysis_seconds};
    check(MPI_Send(numbers, kStatisticsCount, MPI_DOUBLE, 0, kStatisticsTag, MPI_COMM_WORLD), "MPI_Send");
    return statistics;
  }

  std::vector<long> pending;
  for (long index = 0; index < plan.point_count(); ++index)
    if (!files->finished().count(index)) pending.push_back(index);
  const auto start = std::chrono::steady_clock::now();
  SweepProgress state;
  state.total = plan.point_count();
  state.finished = static_cast<long>(files->finished().size());
  for (const PointResult& result : files->results()) state.failed += result.ok ? 0 : 1;
  std::size_t next = 0;
  int working = world.size() - 1;
  while (working > 0) {
    MPI_Status status;
    check(MPI_Probe(MPI_ANY_SOURCE, kResultTag, MPI_COMM_WORLD, &status), "MPI_Probe");
    int length = 0;
    MPI_Get_count(&status, MPI_CHAR, &length);
    std::string record(static_cast<std::size_t>(length), '\0');
    check(MPI_Recv(record.data(), length, MPI_CHAR, status.MPI_SOURCE, kResultTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
    if (!record.empty()) {
      record.pop_back();  // the newline
      const PointResult result = parse_point_json_line(record, description);
      files->append(result);
      ++state.finished;
      ++state.run_this_time;
      if (!result.ok) ++state.failed;
      state.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (progress) progress(state);
    }
    long index = next < pending.size() ? pending[next++] : -1;
    if (index < 0) --working;
    check(MPI_Send(&index, 1, MPI_LONG, status.MPI_SOURCE, kWorkTag, MPI_COMM_WORLD), "MPI_Send");
  }
  for (int rank = 1; rank < world.size(); ++rank) {
    double numbers[kStatisticsCount];
    check(MPI_Recv(numbers, kStatisticsCount, MPI_DOUBLE, rank, kStatisticsTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
    statistics.add({static_cast<long>(numbers[0]), static_cast<long>(numbers[1]), static_cast<long>(numbers[2]), numbers[3], numbers[4],
                    numbers[5]});
  }
  return statistics;
}

}  // namespace xbarsim::distributed
