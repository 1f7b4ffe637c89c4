// Quarry's one script of its own (loaded with the CSP nonce; htmx evaluates no code here).
// When an htmx request fails (a 500, or the server cannot be reached), htmx swaps nothing and the
// page would look as if nothing happened: say so in place, where the element's data-error-target
// points (or beside the element), and clear it when the element is tried again.
(function () {
  "use strict";

  function placeFor(elt) {
    var selector = elt.getAttribute("data-error-target");
    return (selector && document.querySelector(selector)) || elt.parentElement || elt;
  }

  function clear(elt) {
    var old = placeFor(elt).querySelector(":scope > .htmx-error");
    if (old) old.remove();
  }

  function show(elt, text) {
    clear(elt);
    var message = document.createElement("div");
    message.className = "htmx-error";
    message.setAttribute("role", "alert");
    message.textContent = text;
    placeFor(elt).appendChild(message);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    clear(event.detail.elt);
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : "";
    show(event.detail.elt, "Something went wrong on Quarry's side (error " + status + "). " +
      "Try again, or reload the page.");
  });
  document.addEventListener("htmx:sendError", function (event) {
    show(event.detail.elt, "Quarry could not be reached: check your connection and try again.");
  });
})();
