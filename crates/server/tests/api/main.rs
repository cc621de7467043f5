//! Integration tests: the real router on port 0, a fresh SQLite file per test (or, with
//! `TEST_DATABASE_URL=postgres://…`, a fresh PostgreSQL schema per test), spoken to over
//! HTTP like a client.

mod helpers;

mod agent_rooms;
mod agents;
mod auth;
mod bad_input;
mod concurrency;
mod config;
mod departments;
mod messages;
mod realtime;
mod room;
mod routing;
mod settings;
mod transfers;
mod visitor;
