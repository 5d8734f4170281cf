// The alert feed updates by itself: polls the feed's JSON for alerts newer than the newest shown, and
// adds each at the top from the page's template (text only: nothing received is read as HTML).
(function () {
  "use strict";
  var list = document.querySelector("[data-feed-url]");
  var template = document.querySelector("[data-alert-template]");
  if (!list || !template) return;
  var url = list.getAttribute("data-feed-url");
  var latest = parseInt(list.getAttribute("data-latest"), 10) || 0;
  var status = document.querySelector("[data-feed-status]");

  function show(alert) {
    var item = template.content.firstElementChild.cloneNode(true);
    item.setAttribute("data-alert", alert.id);
    item.querySelectorAll("[data-field]").forEach(function (element) {
      var name = element.getAttribute("data-field");
      var value = alert[name] == null ? "" : String(alert[name]);
      if (element.tagName === "A") {
        element.setAttribute("href", value);
      } else {
        element.textContent = value;
        if (element.tagName === "TIME") element.setAttribute("datetime", value);
      }
    });
    var original = item.querySelector('[data-field="text"]');
    if (alert.language) original.setAttribute("lang", alert.language);
    list.insertBefore(item, list.firstChild);
  }

  function poll() {
    fetch(url + "?after=" + latest, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (data) {
        var alerts = data.alerts.slice().reverse(); // oldest first, so the newest ends on top
        alerts.forEach(function (alert) {
          if (alert.id > latest) {
            show(alert);
            latest = alert.id;
          }
        });
        if (alerts.length) {
          var empty = document.querySelector("[data-feed-empty]");
          if (empty) empty.hidden = true;
        }
        if (status) status.textContent = "Up to date at " + new Date().toLocaleTimeString() + ".";
        window.setTimeout(poll, 3000);
      })
      .catch(function () {
        if (status) status.textContent = "The server did not answer; trying again.";
        window.setTimeout(poll, 10000);
      });
  }

  window.setTimeout(poll, 3000);
})();
