//! Property ("fuzz") tests of the parsers of untrusted input: DDP frames, the visitor
//! routes' REST bodies and query strings, multipart uploads. Generated input goes to the
//! real router on port 0 (SQLite only: what is under test is parsing, not the store).
//!
//! Every target runs a bounded number of cases by default (the whole binary takes well
//! under a minute); `PROPTEST_CASES=100000` runs each target longer, and a failure prints
//! the seed to replay it with `PROPTEST_RNG_SEED=<seed>`. Nothing is persisted: a failure
//! found this way becomes a plain regression test next to the target.

mod ddp;
mod harness;
mod input;
mod rest;
mod upload;
