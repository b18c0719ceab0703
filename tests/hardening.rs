//! Hostile input, faults and abuse against real `perch serve` processes: forged and malformed
//! inbox requests, oversized remote documents, private addresses, script in remote HTML, login
//! abuse, and SIGKILL in the middle of work. Signed requests come from `remote::Remote`, a
//! small fediverse server on loopback that serves actors and records what is delivered to it.

mod caps;
mod faults;
mod inbox;
pub mod remote;
mod ssrf;
mod web;
