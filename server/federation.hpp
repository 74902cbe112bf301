#pragma once
// The server's federation side, wired together: the outbound HTTP client, remote keys, the inbox and the
// delivery workers, on an io_context and threads of their own, so a slow remote server or a large fan-out
// never holds up a page or an inbox answer.
#include <memory>
#include <thread>
#include <vector>

#include "activitypub/delivery/engine.hpp"
#include "activitypub/transport/http_client.hpp"
#include "server/app.hpp"
#include "server/metrics.hpp"
#include "server/router.hpp"

namespace fedblog::server {

struct FederationTuning {
    activitypub::delivery::RetrySchedule schedule;       // tests shrink it
    std::chrono::milliseconds poll_interval{1000};       // how soon jobs queued by another process are seen
    transport::ClientOptions client;                     // filled from the settings when public_url is empty
    unsigned threads = 0;                                // 0: the settings' threads
};

class Federation {
public:
    // `metrics`, when given, counts inbox activities; it must outlive the Federation.
    explicit Federation(App& app, FederationTuning tuning = {}, Metrics* metrics = nullptr);
    ~Federation();
    Federation(const Federation&) = delete;
    Federation& operator=(const Federation&) = delete;

    // Starts the delivery workers (resuming what a previous process left) and the threads.
    void start();
    // Stops taking new deliveries, lets those in flight end within `grace`, then stops the threads.
    void stop(std::chrono::seconds grace);

    // What the router calls for POST /inbox and /users/<handle>/inbox.
    InboxEndpoint inbox_endpoint();
    // New jobs are in the queue: start them now.
    void wake_deliveries();
    const activitypub::delivery::DeliveryEngine& deliveries() const;

private:
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

}  // namespace fedblog::server
