// The transcript follows the video (and the player stops at ?end=): the line being spoken is highlighted, a line's time button
// (or a click on the line) plays it, and ?t= opens the player at that moment.
(() => {
  const video = document.getElementById("player");
  if (!video) return;
  const lines = Array.from(document.querySelectorAll(".line[data-start]"));
  let current = null;

  const seek = (seconds) => {
    video.currentTime = seconds;
    video.play().catch(() => {}); // autoplay may be refused; the position is still set
  };

  const endAt = Number.parseFloat(video.dataset.endAt);
  if (Number.isFinite(endAt)) { // an excerpt stops at its end once; playing on after that is the reader's choice
    const stop = () => {
      if (video.currentTime < endAt) return;
      video.pause();
      video.removeEventListener("timeupdate", stop);
    };
    video.addEventListener("timeupdate", stop);
  }

  const startAt = Number.parseFloat(video.dataset.startAt);
  if (Number.isFinite(startAt)) {
    const apply = () => { video.currentTime = startAt; };
    if (video.readyState >= 1) apply(); else video.addEventListener("loadedmetadata", apply, { once: true });
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.seek");
    const line = event.target.closest(".line[data-start]");
    if (button) { seek(Number.parseFloat(button.dataset.start)); return; }
    if (line && !event.target.closest("a, button, summary, form, details")) seek(Number.parseFloat(line.dataset.start));
  });

  video.addEventListener("timeupdate", () => {
    const t = video.currentTime;
    const spoken = lines.find((l) => t >= Number.parseFloat(l.dataset.start) && t < Number.parseFloat(l.dataset.end));
    if (spoken === current) return;
    if (current) { current.classList.remove("speaking"); current.removeAttribute("aria-current"); }
    current = spoken || null;
    if (current) { current.classList.add("speaking"); current.setAttribute("aria-current", "true"); }
    // For the behaviours beside this one (transcript-follow.js keeps the line in view).
    document.dispatchEvent(new CustomEvent("transcript:speaking", { detail: { line: current } }));
  });
})();
