//! Integration tests: real `perch` processes on loopback ports, real HTTP, real SQLite files.
//! One test binary (this file and its modules) so the stack links once.

mod harness;
mod probe;

mod api;
mod api_accounts;
mod api_mastodon_py;
mod api_oauth;
mod api_push;
mod api_statuses;
mod api_streaming;
mod api_timelines;
mod arm;
mod backfill;
mod browser;
mod cli;
mod client;
mod collections;
mod edits;
mod federation;
mod fedify;
mod hardening;
mod imports;
mod interop;
mod moderation;
mod moving;
mod ops;
mod pages;
mod polls;
mod proofs;
mod protocol;
mod proxy;
mod quotes;
mod reactions;
mod session;
