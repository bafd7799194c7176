/* The review page: select words in a section's text to comment on them.
 * The selection fills that section's "words you comment on" field and opens
 * its comment form; without this file the field is typed or pasted. */
(function () {
  "use strict";
  document.addEventListener("mouseup", function () {
    var selection = window.getSelection();
    var words = selection ? selection.toString().replace(/\s+/g, " ").trim() : "";
    if (!words || !selection.anchorNode) {
      return;
    }
    var start = selection.anchorNode.nodeType === 1 ? selection.anchorNode : selection.anchorNode.parentElement;
    var section = start && start.closest(".diff-section");
    var text = start && start.closest(".diff-text");
    if (!section || !text) {
      return;
    }
    var details = section.querySelector(".comment-on-section");
    var quote = details && details.querySelector(".comment-quote");
    if (!quote) {
      return;
    }
    quote.value = words.slice(0, 1000);
    details.open = true;
    var body = details.querySelector("textarea");
    if (body) {
      body.focus({ preventScroll: false });
    }
  });
})();
