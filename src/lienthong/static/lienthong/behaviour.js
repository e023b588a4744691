/* Small behaviours the templates ask for with data- attributes, so that no page needs an inline
   script or event handler (the Content-Security-Policy allows scripts from this site only):
   - <form data-confirm="Question?">   asks before submitting;
   - <button data-print>               prints the page;
   - <select data-navigate data-suffix="?week=…">  goes to the chosen option's value. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm !== undefined) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    }
  }, true);
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select instanceof HTMLSelectElement && select.dataset.navigate !== undefined && select.value) {
      window.location.href = select.value + (select.dataset.suffix || "");
    }
  });
})();
