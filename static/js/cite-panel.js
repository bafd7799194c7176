// "Cite" links beside paragraphs and section headings open their citation
// texts in a dialog on the page. Without this script (or if loading the
// texts fails) they are plain links to the citation page.
(function () {
  "use strict";
  var dialog = document.querySelector("dialog.cite-dialog");
  if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) {
    return;
  }
  var body = dialog.querySelector(".cite-dialog-body");
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.para-cite") : null;
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    fetch(link.href + "?panel=1", { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) {
        body.innerHTML = html;
        dialog.showModal();
        var heading = body.querySelector("h2");
        if (heading) {
          heading.setAttribute("tabindex", "-1");
          heading.focus();
        }
      })
      .catch(function () { window.location.href = link.href; });
  });
})();
