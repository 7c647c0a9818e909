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

// Type-ahead for the home field: as the person types, offer matching province/city/county names.
// Without JavaScript the field is plain text and the server resolves what was typed.
document.querySelectorAll("input[data-suggest]").forEach(function (input) {
  var list = document.getElementById(input.getAttribute("list"));
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = input.value.trim();
    if (!list || !text) return;
    timer = setTimeout(function () {
      fetch(input.dataset.suggest + "?q=" + encodeURIComponent(text))
        .then(function (r) { return r.ok ? r.json() : { places: [] }; })
        .then(function (data) {
          list.textContent = "";
          data.places.forEach(function (name) {
            var option = document.createElement("option");
            option.value = name;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 200);
  });
});
