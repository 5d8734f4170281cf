// The timeline: maps the player's position to the wall-clock time of the recording (the playlist
// lists the stored segments in order, so position t falls in the segment whose durations add up past
// it), and fills the in and out points with that time, in UTC, for the "Make a clip" form; a line
// of the live transcript plays its moment.
(function () {
  "use strict";
  var data = document.getElementById("timeline-segments");
  var player = document.querySelector("[data-timeline-player]");
  if (!data || !player) { return; }
  var segments = JSON.parse(data.textContent);
  var zone = document.querySelector(".timeline").dataset.zone;

  function wallClock(position) {
    var offset = 0;
    for (var i = 0; i < segments.length; i++) {
      var seconds = segments[i].seconds;
      if (position < offset + seconds || i === segments.length - 1) {
        var start = new Date(segments[i].start).getTime();
        return new Date(start + Math.min(position - offset, seconds) * 1000);
      }
      offset += seconds;
    }
    return null;
  }

  function shown(moment) {
    try {
      return moment.toLocaleString("en-GB", { timeZone: zone, hour12: false }) + " (" + zone + ")";
    } catch (error) {
      return moment.toISOString();
    }
  }

  var now = document.querySelector("[data-timeline-now]");
  player.addEventListener("timeupdate", function () {
    var moment = wallClock(player.currentTime);
    if (moment) { now.textContent = shown(moment); }
  });

  // The player's position at a wall-clock time: the inverse of wallClock (null when not recorded).
  function position(moment) {
    var offset = 0;
    for (var i = 0; i < segments.length; i++) {
      var start = new Date(segments[i].start).getTime();
      var seconds = segments[i].seconds;
      if (moment < start + seconds * 1000) {
        return offset + Math.max(0, (moment - start) / 1000);
      }
      offset += seconds;
    }
    return null;
  }

  // ?t= (an alert, a search result): start playing from that moment.
  var seek = document.querySelector(".timeline").dataset.seek;
  if (seek) {
    player.addEventListener("loadedmetadata", function () {
      var at = position(new Date(seek).getTime());
      if (at !== null) { player.currentTime = at; }
    }, { once: true });
  }

  // Any button with data-seek-to (an ISO time: the live transcript's lines) plays from that moment.
  document.querySelectorAll("[data-seek-to]").forEach(function (button) {
    button.addEventListener("click", function () {
      var at = position(new Date(button.dataset.seekTo).getTime());
      if (at === null) { return; }
      player.currentTime = at;
      player.play();
    });
  });

  document.querySelectorAll("[data-set]").forEach(function (button) {
    button.addEventListener("click", function () {
      var which = button.dataset.set;
      var moment = wallClock(player.currentTime);
      if (!moment) { return; }
      document.querySelector('[data-point="' + which + '"]').value = moment.toISOString();
      document.querySelector('[data-shown="' + which + '"]').textContent = shown(moment);
    });
  });
})();
