#include "explore/runner.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/interrupt.h"

namespace lrt::explore {

namespace {

std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

// The outcome of a wait status, with the job's log for the reason.
JobOutcome outcome_of(int code, int signal, const PointJob& job) {
  JobOutcome o;
  if (signal != 0) {
    o.problem = "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  } else if (code != 0) {
    const std::string why = last_line(job.dir + "/log.txt");
    o.problem = "exit " + std::to_string(code) + (why.empty() ? "" : ": " + why);
  } else {
    o.ok = true;
  }
  std::ofstream(job.dir + "/exit_code") << (signal ? 128 + signal : code) << "\n";
  return o;
}

pid_t spawn(const PointJob& job, const std::string& exe) {
  std::filesystem::create_directories(job.dir);
  const std::string log = job.dir + "/log.txt";
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) throw RunError("explore: fork failed: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    std::vector<std::string> words{exe};
    words.insert(words.end(), job.args.begin(), job.args.end());
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    ::execv(exe.c_str(), argv.data());
    std::fprintf(stderr, "explore: cannot run %s: %s\n", exe.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  return pid;
}

}  // namespace

std::string shell_quote(const std::string& word) {
  std::string q = "'";
  for (char c : word) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::vector<JobOutcome> run_local(const std::vector<PointJob>& jobs, const std::string& exe, int parallel) {
  std::vector<JobOutcome> outcomes(jobs.size());
  for (auto& o : outcomes) o.problem = "not run (stop requested)";
  std::map<pid_t, std::size_t> running;
  std::size_t next = 0, done = 0;
  while (next < jobs.size() || !running.empty()) {
    while (!stop_requested() && next < jobs.size() && static_cast<int>(running.size()) < parallel) {
      running[spawn(jobs[next], exe)] = next;
      ++next;
    }
    if (running.empty()) break;  // stop requested, nothing left to wait for
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw RunError("explore: waitpid failed: " + std::string(std::strerror(errno)));
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const std::size_t k = it->second;
    running.erase(it);
    outcomes[k] = outcome_of(WIFEXITED(status) ? WEXITSTATUS(status) : 0, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
                             jobs[k]);
    ++done;
    // Progress on a terminal; a log gets only the failures (summary.json lists them too).
    if (!outcomes[k].ok || ::isatty(::fileno(stderr)))
      std::cerr << "explore: point " << jobs[k].point << " "
                << (outcomes[k].ok ? "done" : outcomes[k].problem) << " (" << done << "/" << jobs.size()
                << " measured)\n";
  }
  return outcomes;
}

std::vector<JobOutcome> run_slurm(const std::vector<PointJob>& jobs, const std::string& exe, int parallel,
                                  const SlurmOptions& options) {
  std::vector<JobOutcome> outcomes(jobs.size());
  if (jobs.empty()) return outcomes;
  std::filesystem::create_directories(options.work_dir);
  const std::string cwd = std::filesystem::current_path().string();
  // One line per task: its command, its log and its exit code, in the task's own folder.
  std::string lines;
  for (const PointJob& job : jobs) {
    std::filesystem::create_directories(job.dir);
    std::string cmd = "cd " + shell_quote(cwd) + " && SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 " + shell_quote(exe);
    for (const auto& a : job.args) cmd += " " + shell_quote(a);
    cmd += " > " + shell_quote(job.dir + "/log.txt") + " 2>&1; echo $? > " + shell_quote(job.dir + "/exit_code");
    lines += cmd + "\n";
    std::filesystem::remove(job.dir + "/exit_code");
  }
  const std::string list = options.work_dir + "/jobs.txt", script = options.work_dir + "/array.sh";
  write_file_atomically(list, lines);
  write_file_atomically(script,
                    "#!/bin/bash\n# lrtsim explore --slurm: task i runs line i + 1 of jobs.txt\n"
                    "eval \"$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" " + shell_quote(list) + ")\"\n");
  std::string submit = shell_quote(options.sbatch) + " --wait --job-name=lrtsim-explore --array=0-" +
                       std::to_string(jobs.size() - 1) + "%" + std::to_string(parallel) + " --output=" +
                       shell_quote(options.work_dir + "/task-%a.out");
  for (const auto& a : options.extra_args) submit += " " + shell_quote(a);
  submit += " " + shell_quote(script) + " > " + shell_quote(options.work_dir + "/sbatch.log") + " 2>&1";
  std::cerr << "explore: submitting " << jobs.size() << " measured points as a Slurm array (" << options.sbatch
            << " --wait)\n";
  const int status = std::system(submit.c_str());
  const int code = status == -1 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  // sbatch --wait exits non-zero when any task failed; the tasks' own exit codes tell which.
  bool any_code = false;
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    std::ifstream in(jobs[k].dir + "/exit_code");
    int task_code = -1;
    if (in >> task_code) {
      any_code = true;
      const int sig = task_code > 128 ? task_code - 128 : 0;
      outcomes[k] = outcome_of(sig ? 0 : task_code, sig, jobs[k]);
    } else {
      outcomes[k].problem = "the Slurm task left no exit code (cancelled, or its node failed); see " +
                            options.work_dir + "/task-" + std::to_string(k) + ".out";
    }
  }
  if (code != 0 && !any_code)
    throw RunError("explore: " + submit.substr(0, submit.find(" > ")) + " failed (exit " + std::to_string(code) +
                   "): " + last_line(options.work_dir + "/sbatch.log"));
  return outcomes;
}

}  // namespace lrt::explore
