//! Every GET the backfill worker makes goes through here: nothing to a blocked domain, a URL at
//! most once an hour (one that failed, once a day), at most [`PER_HOST_PER_MINUTE`] requests to
//! one host and [`PER_DAY`] in all.

use std::cell::Cell;

use rusqlite::Connection;
use serde_json::Value;

use crate::federation::client::{FetchError, WebfingerAnswer};
use crate::federation::vocab::authority;
use crate::model::Timestamp;
use crate::store::{actors, fetches};

use super::super::actors::Fetch;

pub const PER_HOST_PER_MINUTE: i64 = 60;
pub const PER_DAY: i64 = 3_000;
pub const MINUTE_MS: i64 = 60_000;
pub const HOUR_MS: i64 = 3_600_000;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// The remote web seen through the budgets, for one step of the worker.
pub struct Polite<'a> {
    inner: &'a dyn Fetch,
    conn: &'a Connection,
    now: Timestamp,
    /// The queued GET's own URL: done again after a crash in its middle, so not held to the
    /// hour (the queue holds it once per request, and requests are opened at most every 15 min).
    own_url: &'a str,
    /// Set when a budget was spent: the step waits until then.
    pub wait_until: Cell<Option<Timestamp>>,
    /// GETs actually sent.
    pub requests: Cell<u32>,
    /// Set when a GET failed on the network or a 5xx: worth a retry later.
    pub transient: Cell<bool>,
}

impl<'a> Polite<'a> {
    pub fn new(
        inner: &'a dyn Fetch,
        conn: &'a Connection,
        now: Timestamp,
        own_url: &'a str,
    ) -> Polite<'a> {
        Polite {
            inner,
            conn,
            now,
            own_url,
            wait_until: Cell::new(None),
            requests: Cell::new(0),
            transient: Cell::new(false),
        }
    }

    fn database(e: rusqlite::Error) -> FetchError {
        FetchError::Network(format!("database: {e}"))
    }

    fn spent(&self, until: Timestamp) -> FetchError {
        let until = self.wait_until.get().map_or(until, |t| t.max(until));
        self.wait_until.set(Some(until));
        FetchError::Status(429)
    }
}

/// Failures that say something about the object (not the network): remembered for a day.
pub fn is_permanent(error: &FetchError) -> bool {
    match error {
        FetchError::Status(status) => {
            (400..500).contains(status) && !matches!(status, 401 | 408 | 429)
        }
        FetchError::Timeout | FetchError::Network(_) => false,
        _ => true,
    }
}

impl Fetch for Polite<'_> {
    fn get_activity(&self, url: &str) -> Result<Value, FetchError> {
        let host = authority(url).ok_or(FetchError::BadUrl("no host"))?;
        if actors::is_domain_blocked(self.conn, &host).map_err(Self::database)? {
            return Err(FetchError::Refused(host));
        }
        if let Some((at, failed)) = fetches::url_state(self.conn, url).map_err(Self::database)? {
            let age = self.now.0 - at.0;
            if failed && age < DAY_MS {
                return Err(FetchError::BadDocument("it failed within the day"));
            }
            if !failed && age < HOUR_MS && url != self.own_url {
                return Err(FetchError::BadDocument("it was fetched within the hour"));
            }
        }
        let take = |scope: &str, window, limit| {
            fetches::take_budget(self.conn, scope, window, limit, self.now).map_err(Self::database)
        };
        if let Some(until) = take(&host, MINUTE_MS, PER_HOST_PER_MINUTE)? {
            return Err(self.spent(until));
        }
        if let Some(until) = take("*", DAY_MS, PER_DAY)? {
            return Err(self.spent(until));
        }
        self.requests.set(self.requests.get() + 1);
        let result = self.inner.get_activity(url);
        match &result {
            Ok(_) => fetches::record_url(self.conn, url, false, self.now),
            Err(e) if is_permanent(e) => fetches::record_url(self.conn, url, true, self.now),
            Err(_) => {
                self.transient.set(true);
                Ok(())
            }
        }
        .map_err(Self::database)?;
        result
    }

    fn webfinger(&self, user: &str, domain: &str) -> Result<WebfingerAnswer, FetchError> {
        self.inner.webfinger(user, domain)
    }
}
