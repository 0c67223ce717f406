// A live story's updates, kept current without a reload: every few seconds
// the page asks for the newest updates (a small fragment the edge cache
// serves to every reader and drops when an update is posted). New ones wait
// behind a "n new updates" button, so nothing moves under the reader's eyes
// or takes their focus; edits and removals apply in place.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-updates]");
  if (!root || !window.fetch || !window.DOMParser) return;
  var list = root.querySelector("[data-live-list]");
  var notice = root.querySelector("[data-live-notice]");
  var button = notice.querySelector("button");
  var announcer = root.querySelector("[data-live-announcer]");
  var firstPage = root.hasAttribute("data-first-page");
  var interval = (parseInt(root.getAttribute("data-poll-seconds"), 10) || 10) * 1000;
  var pending = [];

  function shown(id) {
    return list.querySelector('[data-update-id="' + id + '"]');
  }

  function newest() {
    var first = list.querySelector("[data-update-id]");
    return first ? parseInt(first.getAttribute("data-posted"), 10) : 0;
  }

  function say(count) {
    var text = count === 1 ? "1 new update" : count + " new updates";
    button.textContent = "Show " + text;
    announcer.textContent = text;
    notice.hidden = count === 0;
  }

  function apply(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var status = doc.querySelector("[data-live-status]");
    if (status) root.setAttribute("data-status", status.getAttribute("data-live-status"));
    var fresh = Array.prototype.slice.call(doc.querySelectorAll("[data-update-id]"));
    var ids = {};
    var since = newest();
    fresh.forEach(function (update) {
      var id = update.getAttribute("data-update-id");
      ids[id] = true;
      var existing = shown(id);
      if (existing) {
        if (existing.getAttribute("data-version") !== update.getAttribute("data-version")) {
          existing.replaceWith(document.importNode(update, true));
        }
      } else if (firstPage && parseInt(update.getAttribute("data-posted"), 10) >= since) {
        pending = pending.filter(function (waiting) { return waiting.getAttribute("data-update-id") !== id; });
        pending.push(update);
      }
    });
    // Removed by an editor: gone from the fragment while newer than its oldest entry.
    var oldest = fresh.length ? parseInt(fresh[fresh.length - 1].getAttribute("data-posted"), 10) : Infinity;
    Array.prototype.slice.call(list.querySelectorAll("[data-update-id]")).forEach(function (update) {
      var id = update.getAttribute("data-update-id");
      if (!ids[id] && parseInt(update.getAttribute("data-posted"), 10) > oldest) update.closest("li").remove();
    });
    pending = pending.filter(function (update) { return ids[update.getAttribute("data-update-id")]; });
    say(pending.length);
  }

  function poll() {
    fetch(root.getAttribute("data-fragment-url"), { headers: { Accept: "text/html" }, credentials: "omit" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html) apply(html); })
      .catch(function () {})
      .then(function () {
        if (root.getAttribute("data-status") !== "ended") window.setTimeout(poll, interval);
      });
  }

  button.addEventListener("click", function () {
    var empty = list.querySelector("[data-live-empty]");
    if (empty) empty.remove();
    pending.sort(function (a, b) {
      return parseInt(a.getAttribute("data-posted"), 10) - parseInt(b.getAttribute("data-posted"), 10);
    });
    var first = null;
    pending.forEach(function (update) {
      var item = document.createElement("li");
      first = document.importNode(update, true);
      item.appendChild(first);
      list.insertBefore(item, list.firstChild);
    });
    pending = [];
    say(0);
    // The reader asked for them: take them to the newest.
    if (first) first.focus();
  });

  window.setTimeout(poll, interval);
})();
