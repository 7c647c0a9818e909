// Swagger UI for the API document (/api/v1/docs), from the site's own copy: no CDN, no inline script.
(function () {
  "use strict";
  var box = document.getElementById("swagger-ui");
  if (!box || typeof window.SwaggerUIBundle === "undefined") { return; }
  window.ui = window.SwaggerUIBundle({
    url: box.dataset.spec,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null  // the default sends the document to an outside validator
  });
}());
