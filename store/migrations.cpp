#include "store/migrations.hpp"

namespace fedblog::store {

// Times are Unix seconds (UTC). Remote ids are stored exactly as received: byte equality is the rule.
static const char* const v1_initial = R"sql(
CREATE TABLE posts (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,        -- deleted slugs stay: ids are never reused
    source_path     TEXT NOT NULL,
    source_hash     TEXT NOT NULL,
    title           TEXT NOT NULL,
    summary_html    TEXT NOT NULL,
    content_html    TEXT NOT NULL,
    language        TEXT NOT NULL,
    tags_json       TEXT NOT NULL DEFAULT '[]',
    image_path      TEXT NOT NULL DEFAULT '',
    image_alt       TEXT NOT NULL DEFAULT '',
    comments_closed INTEGER NOT NULL DEFAULT 0,
    published       INTEGER NOT NULL,
    updated         INTEGER,
    deleted         INTEGER
);
CREATE INDEX posts_source ON posts(source_path) WHERE deleted IS NULL;

CREATE TABLE post_revisions (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts(id),
    revised_at  INTEGER NOT NULL,
    source_hash TEXT NOT NULL
);
CREATE INDEX post_revisions_post ON post_revisions(post_id, revised_at);

CREATE TABLE remote_actors (
    id             TEXT PRIMARY KEY,             -- actor id (URL)
    type           TEXT NOT NULL DEFAULT 'Person',
    inbox          TEXT NOT NULL,
    shared_inbox   TEXT,
    handle         TEXT,                          -- user@host
    display_name   TEXT,
    icon_url       TEXT,
    profile_url    TEXT,
    key_id         TEXT,
    public_key_pem TEXT,
    document       TEXT,                          -- the JSON as fetched
    fetched_at     INTEGER NOT NULL,
    deleted        INTEGER
);
CREATE INDEX remote_actors_key ON remote_actors(key_id);

CREATE TABLE followers (
    id                 INTEGER PRIMARY KEY,
    actor_id           TEXT NOT NULL UNIQUE,
    inbox              TEXT NOT NULL,
    shared_inbox       TEXT,
    handle             TEXT,
    display_name       TEXT,
    state              TEXT NOT NULL CHECK (state IN ('pending', 'accepted')),
    follow_activity_id TEXT NOT NULL,
    created_at         INTEGER NOT NULL
);

CREATE TABLE comments (
    id            INTEGER PRIMARY KEY,
    object_id     TEXT NOT NULL UNIQUE,           -- the remote Note id
    post_id       INTEGER NOT NULL REFERENCES posts(id),
    parent_id     INTEGER REFERENCES comments(id),
    actor_id      TEXT NOT NULL,
    url           TEXT,
    content_html  TEXT NOT NULL,                  -- sanitized
    summary       TEXT,
    sensitive     INTEGER NOT NULL DEFAULT 0,
    language      TEXT,
    visibility    TEXT NOT NULL CHECK (visibility IN ('public', 'unlisted', 'private')),
    state         TEXT NOT NULL CHECK (state IN ('approved', 'held', 'hidden')),
    local         INTEGER NOT NULL DEFAULT 0,     -- written by the blog's owner
    published     INTEGER NOT NULL,
    updated       INTEGER,
    deleted       INTEGER,
    received_at   INTEGER NOT NULL
);
CREATE INDEX comments_post ON comments(post_id, published);
CREATE INDEX comments_actor ON comments(actor_id);

CREATE TABLE reactions (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts(id),
    actor_id    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('like', 'announce')),
    activity_id TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    UNIQUE (post_id, actor_id, kind)
);

CREATE TABLE deliveries (
    id            INTEGER PRIMARY KEY,
    activity_id   TEXT NOT NULL,
    inbox         TEXT NOT NULL,
    host          TEXT NOT NULL,
    body          TEXT NOT NULL,                  -- unsigned: signed at each attempt so Date is fresh
    state         TEXT NOT NULL CHECK (state IN ('pending', 'done', 'dead')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  INTEGER NOT NULL,
    last_error    TEXT,
    created_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    UNIQUE (activity_id, inbox)
);
CREATE INDEX deliveries_due ON deliveries(state, next_attempt);

-- Small facts about this instance, e.g. when the actor was created.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE seen_activities (
    id      TEXT PRIMARY KEY,
    seen_at INTEGER NOT NULL
);
CREATE INDEX seen_activities_age ON seen_activities(seen_at);
)sql";

// The delivery queue learns who has a job in hand, and hosts get a health record (Mastodon's rule: failures on
// N different UTC days with no success between make a host unavailable) and the signature scheme it accepted.
static const char* const v2_delivery_hosts = R"sql(
-- Set while a worker has the job in hand; cleared at startup, since one process owns the file.
ALTER TABLE deliveries ADD COLUMN claimed_at INTEGER;
CREATE INDEX deliveries_host ON deliveries(host, state);

CREATE TABLE hosts (
    host              TEXT PRIMARY KEY,           -- the inbox URL's authority, lower-case: "m.example:8443"
    failure_days      INTEGER NOT NULL DEFAULT 0, -- distinct UTC days with a failure since the last success
    last_failure_day  INTEGER,                    -- Unix seconds / 86400
    unavailable_since INTEGER,
    last_probe        INTEGER,                    -- when a job last went out to see whether it answers again
    signature_scheme  TEXT CHECK (signature_scheme IN ('cavage', 'rfc9421'))
);
)sql";

// One copy of each activity's body instead of one per inbox: a post to 10,000 followers stored 10,000 copies
// (121 MB for an 11 KB Create), and every claim and result rewrote a whole row. The partial index holds exactly
// the jobs a worker may take, in the order it takes them.
static const char* const v3_delivery_bodies = R"sql(
CREATE TABLE delivery_bodies (
    activity_id TEXT PRIMARY KEY,
    body        TEXT NOT NULL                     -- unsigned: signed at each attempt so Date is fresh
);
INSERT OR IGNORE INTO delivery_bodies (activity_id, body) SELECT activity_id, body FROM deliveries;
ALTER TABLE deliveries DROP COLUMN body;
CREATE INDEX deliveries_ready ON deliveries(next_attempt, id) WHERE state = 'pending' AND claimed_at IS NULL;
)sql";

// A comment's media (its Note's `attachment`): a short JSON list written by store::CommentAttachments, which
// bounds and validates it; NULL when there is none.
static const char* const v4_comment_attachments = R"sql(
ALTER TABLE comments ADD COLUMN attachments TEXT;
)sql";

// Moderation. Blocks (a domain with its subdomains, or one actor) the inbox and the fan-out consult; why a comment
// is held, and which block hid it (with the state to restore when the block is lifted); Flag reports. The
// commenter's host is derived (virtual: no write path has to fill it) so per-domain rates read an index.
static const char* const v5_moderation = R"sql(
CREATE TABLE blocks (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('domain', 'actor')),
    target     TEXT NOT NULL UNIQUE,              -- a lower-case domain, or an actor id exactly as published
    reason     TEXT NOT NULL DEFAULT '',          -- the owner's note, never sent anywhere
    created_at INTEGER NOT NULL
);

ALTER TABLE comments ADD COLUMN held_reason TEXT;
ALTER TABLE comments ADD COLUMN hidden_by_block INTEGER;    -- the block that hid it (no FK: blocks are deleted)
ALTER TABLE comments ADD COLUMN state_before_block TEXT CHECK (state_before_block IN ('approved', 'held'));
-- The actor id's authority, lower-case ("m.example", "m.example:8443"), as delivery::inbox_host writes it.
ALTER TABLE comments ADD COLUMN actor_host TEXT GENERATED ALWAYS AS (lower(substr(
    substr(actor_id, instr(actor_id, '://') + 3), 1,
    instr(substr(actor_id, instr(actor_id, '://') + 3) || '/', '/') - 1))) VIRTUAL;
DROP INDEX comments_actor;
CREATE INDEX comments_actor ON comments(actor_id, received_at);
CREATE INDEX comments_host ON comments(actor_host, received_at);
CREATE INDEX comments_hidden_by_block ON comments(hidden_by_block) WHERE hidden_by_block IS NOT NULL;
CREATE INDEX remote_actors_handle ON remote_actors(handle);

CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    activity_id TEXT NOT NULL UNIQUE,            -- the Flag's id
    actor_id    TEXT NOT NULL,                   -- who reported (Mastodon: its instance actor)
    objects     TEXT NOT NULL,                   -- JSON array of the reported ids, as received
    content     TEXT NOT NULL DEFAULT '',        -- the reporter's reason, as received (capped)
    received_at INTEGER NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
    resolved_at INTEGER
);
CREATE INDEX reports_state ON reports(state, received_at);
)sql";

// The followers collection's pages and counts read accepted followers in order; without an index each request
// scanned every row under the database lock (16-19% of the CPU during a 10,000-follower fan-out).
static const char* const v6_followers_by_state = R"sql(
CREATE INDEX followers_state ON followers(state, created_at, id);
)sql";

// A post's thread is read a page at a time (store/comment_pages): each step of the walk seeks a comment's
// first or next answer among those readers may see. Partial: held, hidden and private comments, which a flood
// of spam fills, take no room in it and cost the walk nothing.
static const char* const v7_comment_thread = R"sql(
CREATE INDEX comments_thread ON comments(post_id, parent_id, published, id)
    WHERE deleted IS NOT NULL OR (state = 'approved' AND visibility <> 'private');
)sql";

// The `blocked_domains` setting mirrored into `blocks` (by activitypub::inbox::sync_configured_blocks at start
// and reload), so a configured domain hides comments, ends follows and is skipped by the fan-out as a
// `fedblog block add` does, and lifting it restores what it hid. 1 marks those rows: the setting owns them.
static const char* const v8_configured_blocks = R"sql(
ALTER TABLE blocks ADD COLUMN configured INTEGER NOT NULL DEFAULT 0 CHECK (configured IN (0, 1));
)sql";

// The comments table rebuilt with its allowed values written as comparisons rather than `IN (...)` lists: the
// same rule (a NULL passes both ways, as before), but SQLite built a temporary table for each IN list on every
// insert (2.5 us of the 4.4 us of an insert, measured). Renamed aside first, so that the new table's rows are
// checked against their parents (parent_id) in the new table as they are copied (in id order: a parent is always
// older than its replies); every column, value and index is kept.
static const char* const v9_comment_checks = R"sql(
ALTER TABLE comments RENAME TO comments_before_v9;
CREATE TABLE comments (
    id            INTEGER PRIMARY KEY,
    object_id     TEXT NOT NULL UNIQUE,           -- the remote Note id
    post_id       INTEGER NOT NULL REFERENCES posts(id),
    parent_id     INTEGER REFERENCES comments(id),
    actor_id      TEXT NOT NULL,
    url           TEXT,
    content_html  TEXT NOT NULL,                  -- sanitized
    summary       TEXT,
    sensitive     INTEGER NOT NULL DEFAULT 0,
    language      TEXT,
    visibility    TEXT NOT NULL CHECK (visibility = 'public' OR visibility = 'unlisted' OR visibility = 'private'),
    state         TEXT NOT NULL CHECK (state = 'approved' OR state = 'held' OR state = 'hidden'),
    local         INTEGER NOT NULL DEFAULT 0,     -- written by the blog's owner
    published     INTEGER NOT NULL,
    updated       INTEGER,
    deleted       INTEGER,
    received_at   INTEGER NOT NULL,
    attachments   TEXT,
    held_reason   TEXT,
    hidden_by_block INTEGER,                      -- the block that hid it (no FK: blocks are deleted)
    state_before_block TEXT CHECK (state_before_block = 'approved' OR state_before_block = 'held'),
    -- The actor id's authority, lower-case ("m.example", "m.example:8443"), as delivery::inbox_host writes it.
    actor_host TEXT GENERATED ALWAYS AS (lower(substr(
        substr(actor_id, instr(actor_id, '://') + 3), 1,
        instr(substr(actor_id, instr(actor_id, '://') + 3) || '/', '/') - 1))) VIRTUAL
);
INSERT INTO comments (id, object_id, post_id, parent_id, actor_id, url, content_html, summary, sensitive, language,
                      visibility, state, local, published, updated, deleted, received_at, attachments, held_reason,
                      hidden_by_block, state_before_block)
    SELECT id, object_id, post_id, parent_id, actor_id, url, content_html, summary, sensitive, language,
           visibility, state, local, published, updated, deleted, received_at, attachments, held_reason,
           hidden_by_block, state_before_block
    FROM comments_before_v9 ORDER BY id;
DROP TABLE comments_before_v9;
CREATE INDEX comments_post ON comments(post_id, published);
CREATE INDEX comments_actor ON comments(actor_id, received_at);
CREATE INDEX comments_host ON comments(actor_host, received_at);
CREATE INDEX comments_hidden_by_block ON comments(hidden_by_block) WHERE hidden_by_block IS NOT NULL;
CREATE INDEX comments_thread ON comments(post_id, parent_id, published, id)
    WHERE deleted IS NOT NULL OR (state = 'approved' AND visibility <> 'private');
)sql";

// The number of accepted followers, kept by triggers on every change to `followers` (whichever code or process
// makes it): the followers collection and the profile page ask for it on each request, and counting 10,000 rows
// took 0.2-0.9 ms under the database lock the delivery engine needs during a fan-out. One row, always present.
static const char* const v10_follower_tally = R"sql(
CREATE TABLE follower_tally (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    accepted INTEGER NOT NULL CHECK (accepted >= 0)
);
INSERT INTO follower_tally (id, accepted) SELECT 1, count(*) FROM followers WHERE state = 'accepted';
CREATE TRIGGER follower_tally_insert AFTER INSERT ON followers WHEN NEW.state = 'accepted'
BEGIN UPDATE follower_tally SET accepted = accepted + 1; END;
CREATE TRIGGER follower_tally_delete AFTER DELETE ON followers WHEN OLD.state = 'accepted'
BEGIN UPDATE follower_tally SET accepted = accepted - 1; END;
CREATE TRIGGER follower_tally_update AFTER UPDATE OF state ON followers
    WHEN (OLD.state = 'accepted') <> (NEW.state = 'accepted')
BEGIN UPDATE follower_tally SET accepted = accepted + (NEW.state = 'accepted') - (OLD.state = 'accepted'); END;
)sql";

// Deliveries by host, without their state. Marking a batch of answers done changes `state`, and a batch spans
// many hosts (jobs are taken round-robin), so the (host, state) index had a page rewritten for nearly every host
// at every commit: two thirds of the WAL a 10,000-inbox fan-out wrote. An index without `state` is left alone by
// claims and outcomes; the few queries by host and state read the host's rows and check the state there.
static const char* const v11_deliveries_by_host = R"sql(
DROP INDEX deliveries_host;
CREATE INDEX deliveries_host ON deliveries(host);
)sql";

// deliveries_ready was meant for Deliveries::ready(), but the planner walks deliveries_due (state, next_attempt)
// there, in the same order, and in every other query too: the partial index was never read, only written (at
// queueing, and at each claim, release and outcome, which move jobs in and out of it).
static const char* const v12_no_ready_index = R"sql(
DROP INDEX deliveries_ready;
)sql";

const std::vector<const char*>& migrations() {
    static const std::vector<const char*> steps = {v1_initial, v2_delivery_hosts, v3_delivery_bodies,
                                                   v4_comment_attachments,
                                                   v5_moderation, v6_followers_by_state, v7_comment_thread,
                                                   v8_configured_blocks, v9_comment_checks, v10_follower_tally,
                                                   v11_deliveries_by_host, v12_no_ready_index};
    return steps;
}

}  // namespace fedblog::store
