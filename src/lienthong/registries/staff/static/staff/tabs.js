// Open the tab named in the address (#luong, #bo-nhiem, …): the decision pages send the
// official back to the tab they changed. Keep the address in step when a tab is chosen.
document.addEventListener("DOMContentLoaded", function () {
  var hash = window.location.hash;
  if (hash) {
    var button = document.querySelector('#member-tabs [data-bs-target="' + hash + '"]');
    if (button && window.bootstrap) {
      window.bootstrap.Tab.getOrCreateInstance(button).show();
    }
  }
  document.querySelectorAll("#member-tabs [data-bs-toggle=tab]").forEach(function (button) {
    button.addEventListener("shown.bs.tab", function () {
      history.replaceState(null, "", button.getAttribute("data-bs-target"));
    });
  });
});
