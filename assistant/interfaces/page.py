"""The page's own styles and script: readable on a phone, usable by keyboard and screen reader.

Gradio draws the chat; these adjust what its defaults get wrong for parents (WCAG 2.2 AA):
text size, target size, a chat that grows with its answers instead of a fixed scroll box, source
panels that say whether they are open, and screen-reader labels in plain words.
"""

CSS = """
footer { display: none !important; }
/* The staff page (/staff) makes Gradio draw a page menu; it is not for parents. (gr.Navbar's
   visible=False does not hide it in Gradio 6.31.) */
.nav-holder { display: none !important; }
#chat { font-size: 16px; }
#chat .source { margin: 0.5em 0; font-size: 16px; }
#chat .source summary { cursor: pointer; min-height: 24px; padding: 4px 0; font-weight: 600; }
#chat .source .passage { font-size: 16px; line-height: 1.5; }
#chat a { display: inline-block; min-width: 24px; min-height: 24px; line-height: 24px;
          text-align: center; }
#chat button { min-width: 24px; min-height: 24px; }
/* Gradio's orange primary button has 2.8:1 contrast with white text; this is 7:1. */
#feedback-send { background: #9a3412; border-color: #9a3412; color: #ffffff; }
#feedback-heading { padding: 8px 12px; }
@media (max-width: 640px) {
  #notice { font-size: 15px; }
  #chat { height: auto !important; max-height: none !important; }
}
"""

# Source panels are native <details>, so Space and Enter open them; the script mirrors their
# state in aria-expanded, and replaces Gradio's message labels (the raw Markdown of the answer)
# with the text a sighted reader sees, and brings each new question to the top of the screen
# (Gradio's own scrolling jumps to the end of the answer).
HEAD = """
<script>
(() => {
  const MARK = "'s message: ";
  let queued = false;
  let seen = 0;
  const fix = () => {
    queued = false;
    // The feedback confirmation is announced when it changes.
    const status = document.getElementById("feedback-status");
    if (status && status.getAttribute("role") !== "status") {
      status.setAttribute("role", "status");
    }
    document.querySelectorAll("details.source > summary").forEach((summary) => {
      const open = String(summary.parentElement.open);
      if (summary.getAttribute("aria-expanded") !== open) {
        summary.setAttribute("aria-expanded", open);
      }
    });
    document.querySelectorAll("[aria-label*=\\"" + MARK + "\\"]").forEach((el) => {
      const who = el.getAttribute("aria-label").split(MARK)[0];
      const text = (el.innerText || el.textContent || "").replace(/\\s+/g, " ").trim();
      const label = who + MARK + text;
      if (el.getAttribute("aria-label") !== label) el.setAttribute("aria-label", label);
    });
    // A new question: bring it to the top of the screen, so its answer starts in view.
    const asked = document.querySelectorAll("#chat [aria-label^=\\"user" + MARK + "\\"]");
    if (asked.length > seen) { asked[asked.length - 1].scrollIntoView({ block: "start" }); }
    seen = asked.length;
  };
  const later = () => { if (!queued) { queued = true; requestAnimationFrame(fix); } };
  document.addEventListener("toggle", later, true);
  new MutationObserver(later).observe(document.documentElement, {
    subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ["aria-label", "open"],
  });
})();
</script>
"""
