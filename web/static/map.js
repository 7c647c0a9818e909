// The map view: one marker per job in the list below it (the list is the page; the map is extra).
// Without JavaScript, Leaflet or tiles the map stays hidden and the list still works.
(function () {
  var box = document.getElementById("map");
  if (!box || typeof L === "undefined") return;
  var list = document.getElementById(box.dataset.list);
  if (!list) return;
  var items = list.querySelectorAll("li[data-lat][data-lon]");
  if (!items.length) return;
  box.hidden = false;
  var note = box.nextElementSibling;
  if (note && note.classList.contains("map-note")) note.hidden = false;
  var map = L.map(box, { scrollWheelZoom: false });
  L.tileLayer(box.dataset.tiles, { maxZoom: 18, attribution: box.dataset.attribution || "" }).addTo(map);
  var points = [];
  items.forEach(function (item) {
    var lat = parseFloat(item.dataset.lat), lon = parseFloat(item.dataset.lon);
    if (isNaN(lat) || isNaN(lon)) return;
    var link = item.querySelector("a.title");
    var popup = document.createElement("div");  // built from text nodes: posting text is never parsed as HTML
    if (link) {
      var a = document.createElement("a");
      a.href = link.getAttribute("href");
      a.textContent = link.textContent;
      popup.appendChild(a);
    }
    var pay = item.querySelector(".pay");
    if (pay) {
      var p = document.createElement("p");
      p.textContent = pay.textContent;
      popup.appendChild(p);
    }
    L.marker([lat, lon], { title: link ? link.textContent : "" }).bindPopup(popup).addTo(map);
    points.push([lat, lon]);
  });
  if (points.length === 1) map.setView(points[0], 11);
  else map.fitBounds(points, { padding: [24, 24], maxZoom: 12 });
})();
