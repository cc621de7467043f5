//! Ferrochat: a live-chat server that speaks Rocket.Chat's Omnichannel Livechat API.
//!
//! Layers: `http` (axum handlers in Rocket.Chat's shapes) → `domain` (livechat rules) →
//! `store` (one trait, SQLite implementation). `model` holds the documents, `error` the
//! one error type and its envelope, `time` and `ids` the clock and identifiers.

pub mod app;
pub mod bus;
pub mod cluster;
pub mod config;
pub mod domain;
pub mod error;
pub mod files;
pub mod http;
pub mod ids;
pub mod maintenance;
pub mod methods;
pub mod model;
pub mod outbox;
pub mod realtime;
pub mod store;
pub mod telemetry;
pub mod time;
pub mod validate;
