// The transcript by keyboard: each line is one tab stop (its time button leaves the tab order, since the
// line itself plays), the arrow keys move between lines, Home and End to the first and last, and Enter
// or Space plays the focused line. Without this script the time buttons remain, so nothing is lost.
(() => {
  const pane = document.querySelector(".transcript-pane");
  if (!pane) return;
  const lines = Array.from(pane.querySelectorAll(".line"));
  lines.forEach((line) => {
    line.tabIndex = 0;
    line.querySelectorAll("button.seek").forEach((button) => { button.tabIndex = -1; });
  });

  const moves = {
    ArrowDown: (i) => i + 1,
    ArrowUp: (i) => i - 1,
    Home: () => 0,
    End: () => lines.length - 1,
  };

  pane.addEventListener("keydown", (event) => {
    const line = event.target;
    if (!line.classList || !line.classList.contains("line") || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key in moves) {
      const next = lines[moves[event.key](lines.indexOf(line))];
      event.preventDefault();
      if (next) next.focus();
    } else if ((event.key === "Enter" || event.key === " ") && line.dataset.start) {
      event.preventDefault();
      line.querySelector("button.seek")?.click();
    }
  });
})();
