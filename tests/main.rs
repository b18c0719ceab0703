//! Integration tests: real `perch` processes on loopback ports, real HTTP, real SQLite files.
//! One test binary (this file and its modules) so the stack links once.

mod harness;
mod probe;

mod api;
mod api_statuses;
mod arm;
mod browser;
mod cli;
mod client;
mod edits;
mod federation;
mod hardening;
mod interop;
mod moderation;
mod ops;
mod pages;
mod protocol;
mod proxy;
mod session;
