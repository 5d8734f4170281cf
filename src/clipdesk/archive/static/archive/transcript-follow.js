// The transcript follows the video: while it plays, the spoken line is kept in view by scrolling the
// transcript's own pane, never the page (the reader's place on the page is theirs). Scrolling the pane
// by hand stops following, so the reader can read elsewhere; the "Follow the video" toggle brings it back.
(() => {
  const pane = document.querySelector(".transcript-pane");
  const toggle = document.querySelector("button.follow");
  const player = document.querySelector(".player");
  if (!pane || !toggle) return;
  let following = true;
  let expected = null; // the scrollTop this script last set: a scroll event landing elsewhere is the reader's

  const setFollowing = (value) => {
    following = value;
    toggle.setAttribute("aria-pressed", String(value));
  };

  // The part of the pane the reader can see: inside the window and not under a pinned player above it.
  const visibleBand = () => {
    const box = pane.getBoundingClientRect();
    let top = Math.max(box.top, 0);
    if (player) {
      const p = player.getBoundingClientRect();
      const above = p.left < box.right && p.right > box.left && p.top <= top + 1;
      if (above && getComputedStyle(player).position === "sticky") top = Math.max(top, p.bottom);
    }
    return { top, bottom: Math.min(box.bottom, window.innerHeight) };
  };

  const reveal = (line) => {
    const band = visibleBand();
    const box = line.getBoundingClientRect();
    if (box.top >= band.top && box.bottom <= band.bottom) return;
    // A quarter down the visible band: the line just read stays above it, what comes next below.
    const target = band.top + Math.max(0, (band.bottom - band.top - box.height) / 4);
    pane.scrollTop += box.top - target;
    expected = pane.scrollTop;
  };

  // Side by side (wide screens), the pane ends where the window does as the page opens, so that the line
  // kept in view is in view without scrolling the page. One column, site.css sizes it under the player.
  const fit = () => {
    const watch = pane.closest(".watch");
    if (!watch || getComputedStyle(watch).display !== "grid") { pane.style.maxHeight = ""; return; }
    const top = pane.getBoundingClientRect().top + window.scrollY;
    pane.style.maxHeight = `${Math.max(window.innerHeight - top - 16, window.innerHeight / 2)}px`;
  };
  fit();
  window.addEventListener("resize", fit);

  pane.addEventListener("scroll", () => {
    if (expected !== null && Math.abs(pane.scrollTop - expected) <= 1) return;
    expected = null;
    if (following) setFollowing(false);
  }, { passive: true });

  document.addEventListener("transcript:speaking", (event) => {
    if (following && event.detail.line) reveal(event.detail.line);
  });

  document.addEventListener("transcript:reveal", (event) => { // a line the reader asked for (find in clip)
    setFollowing(true);
    reveal(event.detail.line);
  });

  toggle.addEventListener("click", () => {
    setFollowing(!following);
    const current = pane.querySelector(".line.speaking");
    if (following && current) reveal(current);
  });
  toggle.hidden = false;
})();
