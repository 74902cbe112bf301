#include "activitypub/inbox/group_writer.hpp"

#include <sqlite3.h>

#include <stdexcept>

#include "common/log.hpp"
#include "store/transaction.hpp"

namespace fedblog::activitypub::inbox {

GroupWriter::GroupWriter(store::Database& db, std::function<void()> deliveries_queued, std::size_t max_group)
    : db_(db), deliveries_queued_(std::move(deliveries_queued)), max_group_(max_group ? max_group : 1) {
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

void GroupWriter::submit(Job job) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(job));
    }
    ready_.notify_one();
}

void GroupWriter::loop() {
    for (;;) {
        std::deque<Job> group;
        {
            std::unique_lock lock(mutex_);
            ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and nothing left to write
            // Whatever arrived while the last group was written, up to the bound: no timer, no added wait.
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
