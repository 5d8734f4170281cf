// Moving between the lines the machine was unsure of: Alt+U goes to the next line to check after the
// one being edited, Alt+Shift+U to the one before; both wrap around. The line's English text gets
// the focus and the line is scrolled into view.
(() => {
  const lines = Array.from(document.querySelectorAll(".edit-line"));
  if (!lines.some((line) => line.classList.contains("needs-check"))) return;

  const focusLine = (line) => {
    const field = line.querySelector("textarea[data-field=english_text]");
    line.scrollIntoView({ block: "center" });
    field?.focus();
    document.querySelector(".save-status").textContent =
      `Line ${line.querySelector(".line-number").textContent}: ${line.querySelector(".check-reasons")?.textContent ?? ""}`;
  };

  document.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.code !== "KeyU") return;
    const current = lines.indexOf(document.activeElement?.closest?.(".edit-line"));
    const step = event.shiftKey ? -1 : 1;
    for (let i = 1; i <= lines.length; i++) {
      const index = (((current === -1 && step < 0 ? 0 : current) + step * i) % lines.length + lines.length) % lines.length;
      if (lines[index].classList.contains("needs-check")) {
        focusLine(lines[index]);
        break;
      }
    }
    event.preventDefault();
  });
})();
