// "Use my location": fills the hidden lat/lon fields from the browser, only when asked.
// The page works without it (type the place); coordinates are used for distance only.
document.querySelectorAll("button.locate").forEach(function (button) {
  if (!("geolocation" in navigator)) return;
  var form = button.form;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.lat.value = pos.coords.latitude.toFixed(4);
      form.elements.lon.value = pos.coords.longitude.toFixed(4);
      if (!form.elements.place.value) form.elements.place.placeholder = button.dataset.here;
      button.setAttribute("aria-pressed", "true");
    });
  });
});
