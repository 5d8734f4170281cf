// clipdeskFold(text): the archive's search normalization (clipdesk/search/normalize.py) for scripts that
// match text in the page, so that a reader's "احمد" finds "أحمد" there as search finds it: NFKC; harakat,
// tatweel and invisible marks removed; alef, yeh, teh marbuta, waw and Persian letters folded; Arabic-Indic
// and Persian digits as ASCII; accents off Latin letters; then lowercase. A browser test checks that it
// agrees with the Python on every character the Python table changes.
(() => {
  const deleted = [[0x064b, 0x065f], [0x0670, 0x0670], [0x06d6, 0x06dc], [0x06df, 0x06e8], [0x06ea, 0x06ed],
    [0x0640, 0x0640], [0x0300, 0x036f], [0x200b, 0x200b], [0x200d, 0x200f], [0xfeff, 0xfeff]];
  const folds = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
    "ی": "ي", "ې": "ي", "ک": "ك", "ۀ": "ه", "\u200c": " ",
  };
  "٠١٢٣٤٥٦٧٨٩".split("").forEach((d, i) => { folds[d] = String(i); });
  "۰۱۲۳۴۵۶۷۸۹".split("").forEach((d, i) => { folds[d] = String(i); });
  const isDeleted = (code) => deleted.some(([from, to]) => code >= from && code <= to);
  const latin = (ch, code) => {
    if (code < 0x00c0 || code >= 0x0250) return ch;
    const base = ch.normalize("NFD")[0];
    return base !== ch && base.charCodeAt(0) < 128 ? base : ch;
  };
  globalThis.clipdeskFold = (text) => {
    let out = "";
    for (const ch of (text || "").normalize("NFKC")) {
      const code = ch.codePointAt(0);
      if (isDeleted(code)) continue;
      out += folds[ch] ?? latin(ch, code);
    }
    return out.toLowerCase();
  };
})();
