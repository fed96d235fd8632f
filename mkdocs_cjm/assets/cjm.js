/* mkdocs-cjm: the flow diagram's zoom toggle. Diagrams fit the content width by
   default; "Zoom" shows them at natural size in a horizontally scrolling box.
   Subscribes to Material's document$ so it also runs after instant navigation. */
(function () {
  function setup() {
    document.querySelectorAll("figure.cjm-flow").forEach(function (figure) {
      var button = figure.querySelector("button.cjm-zoom");
      if (!button || button.dataset.cjmReady) return;
      button.dataset.cjmReady = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var zoomed = figure.classList.toggle("cjm-zoomed");
        button.setAttribute("aria-pressed", zoomed ? "true" : "false");
      });
    });
  }
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
