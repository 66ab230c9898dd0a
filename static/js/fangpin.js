// fangpin: small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-back]").forEach(function (el) {
    if (window.history.length > 1) { el.classList.remove("d-none"); }
  });
});
// A submit button is disabled while its form is in flight: a double click sends one request.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  if (form.hasAttribute("hx-get") || form.hasAttribute("hx-post")) { return; }
  if (form.dataset.submitted === "1") { ev.preventDefault(); return; }
  form.dataset.submitted = "1";
  form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) { b.disabled = true; });
  window.setTimeout(function () {
    form.dataset.submitted = "";
    form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
  }, 8000);
});
// Progress bars are drawn from data attributes (no inline styles under the CSP).
function paintProgress(root) {
  (root || document).querySelectorAll("[data-progress]").forEach(function (el) {
    el.style.width = Math.max(0, Math.min(100, Number(el.dataset.progress) || 0)) + "%";
  });
}
document.addEventListener("DOMContentLoaded", function () { paintProgress(document); });
document.addEventListener("htmx:afterSwap", function (ev) { paintProgress(ev.target); });
