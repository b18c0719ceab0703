// Perch's small enhancements. The page works without them: every form posts and reloads.
// No inline script anywhere (the CSP allows only this file).
"use strict";

(function () {
  // Compose: a character counter, and the draft kept in this browser until it is posted.
  const source = document.getElementById("source");
  const counter = document.getElementById("counter");
  const compose = document.getElementById("compose");
  if (source && counter) {
    const max = Number(counter.dataset.max || source.maxLength || 5000);
    const update = () => {
      const left = max - Array.from(source.value).length;
      counter.textContent = left + " characters left";
      counter.classList.toggle("over", left < 0);
    };
    source.addEventListener("input", update);
    update();
  }
  if (compose && source) {
    const key = "perch-draft";
    const summary = document.getElementById("summary");
    // A draft the server sent back (an error, a preview, a reply) wins over the stored one.
    if (!source.value.trim()) {
      try {
        const saved = JSON.parse(localStorage.getItem(key) || "null");
        if (saved && saved.source) {
          source.value = saved.source;
          if (summary && saved.summary) summary.value = saved.summary;
          source.dispatchEvent(new Event("input"));
        }
      } catch (_) { /* no storage, or a damaged entry: start empty */ }
    }
    const save = () => {
      try {
        localStorage.setItem(key, JSON.stringify({ source: source.value, summary: summary ? summary.value : "" }));
      } catch (_) { /* storage full or off */ }
    };
    source.addEventListener("input", save);
    if (summary) summary.addEventListener("input", save);
    compose.addEventListener("submit", (event) => {
      const previewing = event.submitter && event.submitter.name === "preview";
      if (!previewing) {
        try { localStorage.removeItem(key); } catch (_) { /* nothing to clear */ }
      }
    });
  }

  // Like, boost, bookmark and follow in place: the form is posted by fetch and flips.
  const pairs = {
    "/actions/like": ["/actions/unlike", "Unlike"],
    "/actions/unlike": ["/actions/like", "Like"],
    "/actions/boost": ["/actions/unboost", "Unboost"],
    "/actions/unboost": ["/actions/boost", "Boost"],
    "/actions/bookmark": ["/actions/unbookmark", "Remove bookmark"],
    "/actions/unbookmark": ["/actions/bookmark", "Bookmark"],
    "/actions/follow": ["/actions/unfollow", "Unfollow"],
    "/actions/unfollow": ["/actions/follow", "Follow"],
  };
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    const path = form.getAttribute("action");
    if (!(path in pairs)) return;
    event.preventDefault();
    const button = form.querySelector("button");
    // Not `disabled`: disabling the focused button drops keyboard focus to the page's top.
    if (form.dataset.busy) return;
    form.dataset.busy = "1";
    if (button) button.setAttribute("aria-disabled", "true");
    try {
      const response = await fetch(path, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
        redirect: "manual",
      });
      // Success answers with a redirect back to the page: an opaque redirect here.
      if (response.type === "opaqueredirect" || response.ok) {
        const [next, label] = pairs[path];
        form.setAttribute("action", next);
        if (button) button.textContent = label;
      } else {
        form.submit();
      }
    } catch (_) {
      form.submit();
    } finally {
      delete form.dataset.busy;
      if (button) button.removeAttribute("aria-disabled");
    }
  });

  // Relative times; the exact time stays in the title.
  const relative = (date) => {
    const seconds = Math.round((Date.now() - date.getTime()) / 1000);
    if (seconds < 45) return "just now";
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) return minutes + " min ago";
    const hours = Math.round(minutes / 60);
    if (hours < 24) return hours + " h ago";
    const days = Math.round(hours / 24);
    if (days < 7) return days + (days === 1 ? " day ago" : " days ago");
    return null;
  };
  const refreshTimes = () => {
    for (const node of document.querySelectorAll("time[datetime]")) {
      const date = new Date(node.getAttribute("datetime"));
      if (isNaN(date)) continue;
      const text = relative(date);
      if (text) node.textContent = text;
    }
  };
  refreshTimes();
  setInterval(refreshTimes, 60000);

  // A "new posts" notice on the home timeline.
  const posts = document.querySelector(".posts[data-newest]");
  const notice = document.getElementById("new-posts");
  if (posts && notice) {
    const shown = posts.dataset.newest;
    const check = async () => {
      try {
        const response = await fetch("/api/timeline/newest", { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) return;
        const { newest } = await response.json();
        if (newest && (!shown || BigInt(newest) > BigInt(shown))) notice.hidden = false;
      } catch (_) { /* offline: try again later */ }
    };
    setInterval(check, 30000);
    document.addEventListener("visibilitychange", () => { if (!document.hidden) check(); });
  }
})();
