// Gladier dashboard: keeps the runs tables and the run page current from /ui/events.
// Each element with data-live-src is refetched (as server-rendered HTML) when an event
// arrives; data-live-run limits it to the events of one run. No library, no build step.
(function () {
  "use strict";
  var body = document.body;
  var eventsUrl = body.getAttribute("data-events");
  var regions = Array.prototype.slice.call(document.querySelectorAll("[data-live-src]"));
  if (!eventsUrl || !regions.length || !window.EventSource || !window.fetch) {
    return;
  }
  var DELAY_MS = 100;
  // Runs advanced by another process sharing the runtime's home send no event to this
  // server: look again now and then, while the tab is visible and something may change.
  var POLL_MS = Number(body.getAttribute("data-poll-ms")) || 0;
  var FINISHED = { SUCCEEDED: true, FAILED: true, ENDED: true };

  function openDetails(region) {
    var keys = {};
    region.querySelectorAll("details[data-key]").forEach(function (d) {
      keys[d.getAttribute("data-key")] = d.open;
    });
    return keys;
  }

  function restoreDetails(region, keys) {
    region.querySelectorAll("details[data-key]").forEach(function (d) {
      var key = d.getAttribute("data-key");
      if (Object.prototype.hasOwnProperty.call(keys, key)) {
        d.open = keys[key];
      }
    });
  }

  function refresh(region) {
    var seq = (region._gladierSeq || 0) + 1;
    region._gladierSeq = seq;
    fetch(region.getAttribute("data-live-src"), {
      cache: "no-store",
      credentials: "same-origin",
      headers: { Accept: "text/html" }
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (seq < (region._gladierApplied || 0)) {
          return; // an answer to a newer request is already shown
        }
        region._gladierApplied = seq;
        var keys = openDetails(region);
        region.innerHTML = html;
        restoreDetails(region, keys);
        region.setAttribute("data-refreshed", String(seq));
      })
      .catch(function () {
        body.setAttribute("data-live", "error");
      });
  }

  function schedule(region) {
    if (region._gladierTimer) {
      return;
    }
    region._gladierTimer = setTimeout(function () {
      region._gladierTimer = null;
      refresh(region);
    }, DELAY_MS);
  }

  var source = new EventSource(eventsUrl);
  source.addEventListener("open", function () {
    body.setAttribute("data-live", "connected");
    regions.forEach(schedule); // catch up on what happened before the stream opened
  });
  source.addEventListener("error", function () {
    body.setAttribute("data-live", "reconnecting");
  });
  source.addEventListener("run", function (event) {
    var message;
    try {
      message = JSON.parse(event.data);
    } catch (err) {
      return;
    }
    regions.forEach(function (region) {
      var only = region.getAttribute("data-live-run");
      if (!only || only === message.run_id) {
        schedule(region);
      }
    });
  });
  if (POLL_MS > 0) {
    setInterval(function () {
      if (document.visibilityState !== "visible") {
        return;
      }
      regions.forEach(function (region) {
        var run = region.querySelector("[data-run-status]");
        if (!run || !FINISHED[run.getAttribute("data-run-status")]) {
          schedule(region);
        }
      });
    }, POLL_MS);
  }
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
