#include "activitypub/inbox/group_writer.hpp"

#include <pthread.h>
#include <sqlite3.h>
#include <time.h>

#include <stdexcept>

#include "common/log.hpp"
#include "store/transaction.hpp"

namespace fedblog::activitypub::inbox {

GroupWriter::GroupWriter(store::Database& db, std::function<void()> deliveries_queued, std::size_t max_group,
                         std::chrono::microseconds max_wait)
    : db_(db), deliveries_queued_(std::move(deliveries_queued)), max_group_(max_group ? max_group : 1), max_wait_(max_wait) {
    thread_ = std::thread([this] { loop(); });
}

GroupWriter::~GroupWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    ready_.notify_all();
    thread_.join();
}

std::size_t GroupWriter::groups_committed() const {
    std::lock_guard lock(mutex_);
    return groups_;
}

std::size_t GroupWriter::activities_written() const {
    std::lock_guard lock(mutex_);
    return activities_;
}

double GroupWriter::cpu_seconds() const {
    clockid_t clock{};
    timespec used{};
    if (pthread_getcpuclockid(const_cast<std::thread&>(thread_).native_handle(), &clock) != 0 ||
        clock_gettime(clock, &used) != 0)
        return 0;
    return static_cast<double>(used.tv_sec) + static_cast<double>(used.tv_nsec) / 1e9;
}

GroupWriter::Expected GroupWriter::expect() {
    std::lock_guard lock(mutex_);
    ++expected_;
    return Expected(this);
}

void GroupWriter::arrived() {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        wake = settle(Arrival::not_coming);
    }
    notify_if(wake);
}

void GroupWriter::submit(Job job, bool was_expected) {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(job));
        wake = settle(was_expected ? Arrival::queued : Arrival::unannounced);
    }
    notify_if(wake);
}

// Under mutex_: counts the arrival, and says whether the writer may have to stop waiting. It waits for a
// first job, then for the group to fill: woken only when that may be over, not once per job.
bool GroupWriter::settle(Arrival arrival) {
    if (arrival != Arrival::unannounced) --expected_;
    return (arrival != Arrival::not_coming && queue_.size() == 1) || group_ready();
}

// Under mutex_: the group stops waiting once nothing more is announced, it is full, or it holds at least as
// many activities as are still on their way. The last keeps the pipeline going: if a group waited for every
// activity in flight, each request would be suspended in it during its commit, and nobody would verify the
// next ones meanwhile; taking half lets the other half be verified and parsed while this half is written.
bool GroupWriter::group_ready() const {
    return expected_ == 0 || queue_.size() >= max_group_ || queue_.size() >= expected_;
}

void GroupWriter::notify_if(bool wake) {
    if (wake) ready_.notify_one();
}

void GroupWriter::loop() {
    for (;;) {
        std::deque<Job> group;
        {
            std::unique_lock lock(mutex_);
            ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and nothing left to write
            // Activities admitted but still being verified and parsed join this group, for a bounded time.
            const auto deadline = std::chrono::steady_clock::now() + max_wait_;
            ready_.wait_until(lock, deadline,
                              [this] { return stopping_ || group_ready(); });
            while (!queue_.empty() && group.size() < max_group_) {
                group.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        write_group(group);
    }
}

void GroupWriter::write_group(std::deque<Job>& group) {
    std::vector<std::exception_ptr> errors(group.size());
    std::exception_ptr group_error;
    bool queued = false;
    try {
        store::WriteTransaction transaction(db_);
        for (std::size_t i = 0; i < group.size(); ++i) {
            try {
                store::WriteTransaction savepoint(db_);
                const bool job_queued = group[i].run();
                savepoint.commit();
                queued = queued || job_queued;
            } catch (...) {
                errors[i] = std::current_exception();  // the savepoint rolled back this activity alone
            }
            // Some errors (disk full, I/O) make SQLite roll back the whole transaction: then the activities
            // before this one are gone too, and every one of the group fails.
            if (sqlite3_get_autocommit(db_.sqlite().getHandle()) != 0)
                throw std::runtime_error("the database rolled back the group's transaction");
        }
        transaction.commit();
    } catch (const std::exception& e) {
        log::error("inbox group not written", {{"activities", group.size()}, {"error", e.what()}});
        group_error = std::current_exception();
    }
    {
        std::lock_guard lock(mutex_);
        if (!group_error) ++groups_, activities_ += group.size();
    }
    if (!group_error && queued && deliveries_queued_) deliveries_queued_();
    for (std::size_t i = 0; i < group.size(); ++i) group[i].done(group_error ? group_error : errors[i]);
}

}  // namespace fedblog::activitypub::inbox
