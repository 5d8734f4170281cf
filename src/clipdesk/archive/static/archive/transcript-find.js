// Find in this clip: the box above the transcript looks for what the reader types in every line, in the
// original and in the English, folded as the archive's search folds text (fold.js). Enter or
// the arrows step through the matching lines, wrapping round; each is brought into view and played.
(() => {
  const form = document.querySelector("form.find");
  const pane = document.querySelector(".transcript-pane");
  if (!form || !pane || !globalThis.clipdeskFold) return;
  const input = form.querySelector("input");
  const status = form.querySelector(".find-status");
  const lines = Array.from(pane.querySelectorAll(".line"));
  const texts = lines.map((line) =>
    Array.from(line.querySelectorAll(".original, .english"), (p) => clipdeskFold(p.textContent)).join("\n"));
  let matches = [];
  let index = -1;

  const show = () => {
    lines.forEach((line) => line.classList.remove("found", "found-current"));
    matches.forEach((line) => line.classList.add("found"));
    if (index >= 0) matches[index].classList.add("found-current");
    const query = input.value.trim();
    const count = `${matches.length} line${matches.length === 1 ? "" : "s"}`;
    status.textContent = !query ? "" : !matches.length ? "Not in this clip"
      : index < 0 ? `${count}: press Enter to play the first` : `${index + 1} of ${count}`;
  };

  const search = () => {
    const query = clipdeskFold(input.value).replace(/\s+/g, " ").trim();
    matches = query ? lines.filter((line, i) => texts[i].replace(/\s+/g, " ").includes(query)) : [];
    index = -1;
    show();
  };

  const step = (delta) => {
    if (!matches.length) return;
    index = (index + delta + matches.length) % matches.length;
    show();
    const line = matches[index];
    // transcript-follow.js brings the line into view and follows from there; the seek button plays it.
    document.dispatchEvent(new CustomEvent("transcript:reveal", { detail: { line } }));
    line.querySelector("button.seek")?.click();
  };

  input.addEventListener("input", search);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); step(event.shiftKey ? -1 : 1); }
    if (event.key === "Escape") { input.value = ""; search(); }
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  form.querySelectorAll("button[data-step]").forEach((button) => {
    button.addEventListener("click", () => step(Number(button.dataset.step)));
  });
  form.hidden = false;
})();
