// Share an excerpt: selecting text across lines of the transcript sets the "From line … to line …" of the
// share form to those lines, so the reader quotes and cites exactly what they selected. The form works
// without this script; the reader then types the line numbers.
(() => {
  const form = document.querySelector("form.excerpt");
  const pane = document.querySelector(".transcript-pane");
  if (!form || !pane) return;
  const number = (node) => {
    const line = (node && node.nodeType === Node.TEXT_NODE ? node.parentElement : node)?.closest(".line");
    return line && pane.contains(line) ? Number(line.id.replace("line-", "")) : null;
  };
  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    if (!selection || selection.isCollapsed) return;
    const ends = [number(selection.anchorNode), number(selection.focusNode)];
    if (ends.includes(null)) return;
    form.elements.from.value = Math.min(...ends);
    form.elements.to.value = Math.max(...ends);
  });
})();
