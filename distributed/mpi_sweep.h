// MpiSweep: a sweep spread over the ranks of an MPI job (`mpirun -n P xbarsim sweep ...`), built
// only with -DXBARSIM_MPI=ON (OpenMPI, Debian's libopenmpi-dev).
//
// Rank 0 is the coordinator: it owns the result files (core/sweep_results.h) and hands out point
// numbers one at a time to whichever rank asks next (dynamic assignment: a slow point holds up only
// its own rank); ranks 1..P-1 each evaluate one point at a time with their own PointEvaluator and
// send back the point's points.jsonl record, which rank 0 appends. The files are therefore the same
// as a threaded run's. Rank 0 does not simulate, so P ranks give P-1 workers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/netlist_reader.h"
#include "core/sweep.h"
#include "core/sweep_plan.h"
#include "core/sweep_results.h"

namespace xbarsim::distributed {

// True when this process was started by mpirun (OpenMPI or a PMI launcher) as one of several ranks.
bool launched_as_several_ranks();

// MPI_Init on construction, MPI_Finalize on destruction.
class MpiWorld {
 public:
  MpiWorld();
  ~MpiWorld();
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  // Rank 0's value on every rank.
  std::uint64_t broadcast(std::uint64_t value) const;
  // True on every rank when `succeeded` is true on every rank (collective).
  bool all(bool succeeded) const;
  // Ends every rank of the job (after an unrecoverable error on one of them).
  [[noreturn]] void abort(int exit_status) const;

 private:
  int rank_ = 0;
  int size_ = 1;
};

// Rank 0: `files` must be non-null; hands out the points it lacks and appends results, calling
// `progress`. Other ranks: `files` is null; they evaluate points until told to stop. Returns the
// statistics of all workers on rank 0 (its own, empty, elsewhere).
SweepStatistics run_sweep_mpi(const MpiWorld& world, const NetlistText& netlist, const SweepPlan& plan, const SweepSettings& settings,
                              SweepResultFiles* files, const SweepDescription& description,
                              const std::function<void(const SweepProgress&)>& progress);

}  // namespace xbarsim::distributed
