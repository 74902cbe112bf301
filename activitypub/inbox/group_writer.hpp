#pragma once
// Inbox activities written in groups (group commit): one SQLite commit per activity caps the inbox near the
// disk's commit rate, so a single writer thread takes every activity queued while it was busy, runs each in
// its own savepoint of one transaction (a failure rolls back that activity alone), commits once, and only
// then completes each waiting request — an activity acknowledged is on disk, as with a commit of its own.
// The io threads never wait on the database lock for it: a request suspends until its group has committed.
// Under load the group waits (at most `max_wait`) for activities that are admitted but still being verified
// and parsed (announced with expect()), until it holds as many as are still on their way: otherwise the writer
// commits each time the queue looks empty, a commit for every one or two activities; and waiting for all of
// them would leave nobody verifying while the group commits. A lone activity, with nothing else on its way,
// commits at once.
#include <chrono>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "store/database.hpp"

namespace fedblog::activitypub::inbox {

class GroupWriter {
public:
    // `deliveries_queued` is called once after a group that queued deliveries commits (wakes the workers).
    // `max_group` bounds the activities in one transaction, so the database lock is held a bounded time;
    // `max_wait` the time a group waits for the activities announced to join it.
    GroupWriter(store::Database& db, std::function<void()> deliveries_queued, std::size_t max_group = 256,
                std::chrono::microseconds max_wait = std::chrono::milliseconds(5));
    // Writes what is already queued, then stops.
    ~GroupWriter();
    GroupWriter(const GroupWriter&) = delete;
    GroupWriter& operator=(const GroupWriter&) = delete;

    // An activity that may soon call write(): held from its admission until it does (or ends without).
    class Expected {
    public:
        Expected() = default;
        Expected(Expected&& other) noexcept : writer_(std::exchange(other.writer_, nullptr)) {}
        Expected& operator=(Expected&& other) noexcept {
            if (this != &other) {
                release();
                writer_ = std::exchange(other.writer_, nullptr);
            }
            return *this;
        }
        ~Expected() { release(); }
        void release() {
            if (auto* writer = std::exchange(writer_, nullptr)) writer->arrived();
        }

    private:
        friend class GroupWriter;
        explicit Expected(GroupWriter* writer) : writer_(writer) {}
        GroupWriter* writer_ = nullptr;
    };
    Expected expect();

    // Runs `work` on the writer thread inside its own savepoint; `work` sets its bool argument when it queued
    // deliveries. Resumes the caller, on its executor, once the group's transaction has committed; rethrows
    // what `work` threw, or the group's failure to commit.
    // `expected`, when given, is released as the job is queued.
    template <typename Result>
    boost::asio::awaitable<Result> write(std::function<Result(bool& deliveries_queued)> work, Expected* expected = nullptr) {
        auto result = std::make_shared<Result>();
        auto initiate = [this, result, expected, work = std::move(work)](auto handler) mutable {
            using Handler = decltype(handler);
            auto executor = boost::asio::get_associated_executor(handler);
            // The caller's event loop must not run out of work while its request waits here.
            auto guard = std::make_shared<boost::asio::executor_work_guard<decltype(executor)>>(executor);
            auto waiting = std::make_shared<Handler>(std::move(handler));
            submit(Job{[result, work = std::move(work)] {
                           bool queued = false;
                           *result = work(queued);
                           return queued;
                       },
                       [waiting, guard](std::exception_ptr error) {
                           boost::asio::post(guard->get_executor(), [waiting, guard, error]() mutable {
                               std::move(*waiting)(error);
                               guard->reset();
                           });
                       }},
                   expected && expected->writer_ == this);
            if (expected && expected->writer_ == this) expected->writer_ = nullptr;
        };
        co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(std::exception_ptr)>(
            std::move(initiate), boost::asio::use_awaitable);
        co_return std::move(*result);
    }

    // Groups committed and activities written since the start (for tests and the benchmark).
    std::size_t groups_committed() const;
    std::size_t activities_written() const;
    // CPU time the writer thread has used (for the benchmark: the share of the single writer in each reply).
    double cpu_seconds() const;

private:
    struct Job {
        std::function<bool()> run;                    // on the writer thread, in a savepoint
        std::function<void(std::exception_ptr)> done;  // after the commit (or the failure)
    };
    void submit(Job job, bool was_expected);
    enum class Arrival { queued, not_coming, unannounced };
    void arrived();  // an expected activity that will not be written
    bool settle(Arrival arrival);
    bool group_ready() const;
    void notify_if(bool wake);
    void loop();
    void write_group(std::deque<Job>& group);

    store::Database& db_;
    std::function<void()> deliveries_queued_;
    const std::size_t max_group_;
    const std::chrono::microseconds max_wait_;
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Job> queue_;  // guarded by mutex_
    std::size_t expected_ = 0;  // guarded by mutex_: activities announced and not yet queued
    bool stopping_ = false;     // guarded by mutex_
    std::size_t groups_ = 0, activities_ = 0;  // guarded by mutex_
    std::thread thread_;
};

}  // namespace fedblog::activitypub::inbox
