//! Integration tests: the real router on port 0, a fresh SQLite file per test (or, with
//! `TEST_DATABASE_URL=postgres://…`, a fresh PostgreSQL schema per test), spoken to over
//! HTTP like a client.

mod helpers;

mod delivery_support;
mod nats_broker;

mod activity;
mod agent_app;
mod agent_rooms;
mod agent_uploads;
mod agents;
mod analytics;
mod appearance;
mod auth;
mod backup;
mod bad_input;
mod brute_force;
mod business_hours;
mod canned_responses;
mod chat_access;
mod cluster;
mod concurrency;
mod config;
mod contacts;
mod custom_fields;
mod ddp_limits;
mod departments;
mod email;
mod integrations;
mod legacy_contact;
mod limits;
mod mailer;
mod messages;
mod methods;
mod metrics;
mod migrate;
mod notes;
mod openapi;
mod outbox;
mod page_visited;
mod permissions;
mod process;
mod queue;
mod realtime;
mod room;
mod routing;
mod settings;
mod slow_clients;
mod smtp_test;
mod survey;
mod tags;
mod transfers;
mod triggers;
mod uploads;
mod visitor;
mod visitors_agent;
mod webhooks;
mod widget;
