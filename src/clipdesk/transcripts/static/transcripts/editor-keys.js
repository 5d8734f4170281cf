// Keyboard shortcuts for transcribing against the video, and tap-to-time: Alt+T sets the current
// line's start to the playing moment (and the previous line's end, since a line ends where the next
// starts), then moves to the next line.
(() => {
  const video = document.getElementById("player");
  const lines = Array.from(document.querySelectorAll(".edit-line"));
  if (!video || !lines.length) return;

  const currentLine = () => document.activeElement?.closest?.(".edit-line") || lines[0];
  const focusLine = (line) => line?.querySelector("textarea[data-field=english_text]")?.focus();
  const setTime = (line, field, ms) => {
    const input = line.querySelector(`input[data-field=${field}]`);
    const s = Math.floor(ms / 1000), m = Math.floor(s / 60);
    input.value = `${m}:${String(s % 60).padStart(2, "0")}.${String(ms % 1000).padStart(3, "0")}`;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  };
  const startOf = (line) => {
    const value = line.querySelector("input[data-field=start_ms]").value.trim();
    if (!value) return null;
    return value.split(":").reduce((total, part) => total * 60 + Number.parseFloat(part), 0);
  };

  document.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    const line = currentLine();
    const index = lines.indexOf(line);
    switch (event.key.toLowerCase()) {
      case "k": video.paused ? video.play() : video.pause(); break;
      case "r": { const start = startOf(line); if (start !== null) { video.currentTime = start; video.play(); } break; }
      case "arrowdown": focusLine(lines[index + 1]); break;
      case "arrowup": focusLine(lines[index - 1]); break;
      case ",": video.playbackRate = Math.max(0.5, video.playbackRate - 0.25); break;
      case ".": video.playbackRate = Math.min(2, video.playbackRate + 0.25); break;
      case "t": {
        const ms = Math.round(video.currentTime * 1000);
        setTime(line, "start_ms", ms);
        if (index > 0) setTime(lines[index - 1], "end_ms", ms);
        focusLine(lines[index + 1] || line);
        break;
      }
      default: return;
    }
    event.preventDefault();
  });
})();
